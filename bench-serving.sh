#!/usr/bin/env bash
# Serving benchmarks (programs, not tests), each printing its figures and ratios measured side by side:
#   ./bench-serving.sh http   [window-seconds, default 4] [rounds, default 4]   HTTP classify c1/c8/c32 vs in-process batch 1/32
#   ./bench-serving.sh score  [images, default 2000] [rounds, default 2]        Kafka batch scoring vs in-process batch 32
#   ./bench-serving.sh memory [requests, default 10000] [switches, default 20] [rounds, default 2]  worker RSS growth per round of requests and model switches
#   ./bench-serving.sh photos [rounds, default 10]                              phone-sized JPEGs (3.5, 10, 12 MB) at concurrency 1 and 8, inline vs staged uploads, beside in-process decode + predict
#   ./bench-serving.sh versions [loads, default 300] [rounds, default 3]       worker RSS growth per round of ~300 loads and unloads of old versions (LRU)
# -Dconvnet.bench.bundle=<bundle dir> (in CONVNET_BENCH_JAVA_OPTS) uses a trained bundle instead of an untrained tutorial CNN.
set -euo pipefail
cd "$(dirname "$0")"
what=${1:-http}
shift || true
case "$what" in
  http) main=io.convnet.bench.ServingBenchmark ;;
  score) main=io.convnet.bench.ScoreBenchmark ;;
  memory) main=io.convnet.bench.WorkerMemoryBenchmark ;;
  photos) main=io.convnet.bench.LargeImageBenchmark ;;
  versions) main=io.convnet.bench.WorkerMemoryBenchmark; set -- versions "$@" ;;
  *) echo "usage: $0 http|score|memory|photos|versions [args]" >&2; exit 2 ;;
esac
nice mvn -q -B -DskipTests package
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-1}
exec java -Xmx2g -Dorg.bytedeco.javacpp.cachedir="${CONVNET_JAVACPP_CACHE:-$HOME/.cache/convnet-javacpp}" \
  -Dconvnet.datasets="${CONVNET_DATASETS:-$PWD/../shared/datasets}" ${CONVNET_BENCH_JAVA_OPTS:-} \
  -cp "src-test/target/test-classes:$(cat src-test/target/test-classpath.txt)" "$main" "$@"
