#!/usr/bin/env bash
# Runs every test of every module (unit, in-JVM Kafka, end-to-end across JVMs).
# Installs first what a fresh Debian machine lacks; never runs `mvn install`.
set -euo pipefail
cd "$(dirname "$0")"

missing=()
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
command -v setsid >/dev/null 2>&1 || missing+=(util-linux)
# the web page's test drives headless Chromium through chromedriver
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
# stock Python gRPC clients (grpcio, stubs from grpc_tools) call the gateway's gRPC services in src-test
/usr/bin/python3 -c 'import grpc, grpc_tools.protoc' >/dev/null 2>&1 || missing+=(python3-grpcio python3-grpc-tools)
# StockClientsE2ETest runs the documented curl commands, and posts a phone photo with Python requests
command -v curl >/dev/null 2>&1 || missing+=(curl)
/usr/bin/python3 -c 'import requests' >/dev/null 2>&1 || missing+=(python3-requests)
# npm fetches the real ImageNet class labels for convnet's ClassLabelsTest (never committed)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=; [ "$(id -u)" -ne 0 ] && sudo=sudo
  echo "installing ${missing[*]} ..."
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# promtool checks the alert rules; Debian ships it with Prometheus (installed, never started here)
if ! command -v promtool >/dev/null 2>&1; then
  sudo=; [ "$(id -u)" -ne 0 ] && sudo=sudo
  echo "installing prometheus (for promtool) ..."
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi

# The Kubernetes manifests and the observability pack, statically: rendered with kubectl's
# kustomize, validated against the published schemas and Pod Security "restricted", promtool.
nice k8s/ci/check.sh

# The real ImageNet labels (npm's @tensorflow-models/mobilenet, fetched once into a cache) for ClassLabelsTest.
labels=$(convnet/scripts/fetch-imagenet-labels.sh 2>/dev/null || true)
[ -n "$labels" ] && [ -f "$labels" ] || labels=
exec nice mvn -B --no-transfer-progress ${labels:+-Dconvnet.imagenetLabels=$labels} verify "$@"
