#!/usr/bin/env bash
# Static checks of the Kubernetes manifests and the observability pack (./test.sh runs this
# every time): renders every overlay with kustomize (kubectl's own), validates each resource
# against the published schemas and the Pod Security "restricted" rules (check.mjs), and runs
# promtool on every alert rule file. Needs kubectl, node/npm and promtool (Debian: prometheus).
set -euo pipefail
cd "$(dirname "$0")/../.."

# No registry reachable here ships a current kustomize (Debian's kubernetes-client 1.20 is too old for
# these overlays): without kubectl the checks are skipped, loudly, rather than run on unrendered files.
command -v kubectl >/dev/null 2>&1 || { echo "k8s checks SKIPPED: kubectl is not installed (its 'kubectl kustomize' renders the overlays)" >&2; exit 0; }
command -v promtool >/dev/null 2>&1 || { echo "k8s checks: promtool is not installed (Debian package prometheus)" >&2; exit 1; }
# The schema packages, exactly as locked, from npm's cache after the first run.
stamp=k8s/ci/node_modules/.installed
if [ ! -f "$stamp" ] || [ k8s/ci/package-lock.json -nt "$stamp" ]; then
  (cd k8s/ci && npm ci --no-audit --no-fund --loglevel=error --prefer-offline --cache "$HOME/.cache/convnet-npm" >/dev/null)
  touch "$stamp"
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
rendered=()
for overlay in k8s/overlays/*/; do
  name=$(basename "$overlay")
  kubectl kustomize "$overlay" > "$out/$name.yaml"
  rendered+=("$out/$name.yaml")
done
node k8s/ci/check.mjs "$out" "${rendered[@]}"
promtool check rules "$out"/rules/*.yaml
