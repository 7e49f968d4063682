#!/usr/bin/env bash
# A real Prometheus (Debian's package: apt-get install --no-install-recommends prometheus)
# scraping a ./run.sh cluster, with the alert rules of prometheus-rules.yaml:
#
#   ./run.sh &                                    # the cluster (same CONVNET_*_PORT variables as here)
#   k8s/observability/prometheus-local.sh         # Prometheus on 127.0.0.1:${CONVNET_PROMETHEUS_PORT:-9090}
#   k8s/observability/prometheus-local.sh report  # rules evaluated, and which dashboard queries return data
#
# Ports and directories follow run.sh: CONVNET_GATEWAY_PORT, CONVNET_TRAINER_PORT,
# CONVNET_WORKER_PORTS, CONVNET_VISUALIZER_PORT, CONVNET_RUN_DIR (Prometheus keeps its data in
# $CONVNET_RUN_DIR/prometheus). The Kafka broker of run.sh has no JMX exporter, so the broker
# panels and alerts (kafka_server_*, kafka_consumergroup_lag) have data on Kubernetes only.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
RUN_DIR=${CONVNET_RUN_DIR:-$ROOT/run}
DIR=$RUN_DIR/prometheus
PORT=${CONVNET_PROMETHEUS_PORT:-9090}
URL=http://127.0.0.1:$PORT

if [ "${1:-}" = report ]; then
  exec python3 - "$URL" "$ROOT/k8s/observability/dashboards" <<'PY'
import json, sys, urllib.parse, urllib.request, pathlib
url, dashboards = sys.argv[1], pathlib.Path(sys.argv[2])
def get(path, **params):
    with urllib.request.urlopen(url + path + ("?" + urllib.parse.urlencode(params) if params else ""), timeout=30) as r:
        return json.load(r)["data"]
print("alert rules:")
for g in get("/api/v1/rules")["groups"]:
    for r in g["rules"]:
        print(f"  {g['name']:18} {r['name']:34} health={r['health']:3} state={r.get('state', '-'):8} "
              f"evaluated={r.get('lastEvaluation', '-')[:19]}" + (f" error={r['lastError']}" if r.get("lastError") else ""))
with_data = total = 0
for f in sorted(dashboards.glob("*.json")):
    d = json.loads(f.read_text())
    print(f"dashboard {d['title']}:")
    for p in d["panels"]:
        for t in p["targets"]:
            total += 1
            expr = t["expr"].replace("$__rate_interval", "1m")
            series = get("/api/v1/query", query=expr)["result"]
            with_data += bool(series)
            print(f"  {'data' if series else 'NO DATA':7} {len(series):3} series  {p['title']} [{t['legendFormat']}]")
print(f"{with_data} of {total} dashboard queries return data")
PY
fi

command -v prometheus >/dev/null || { echo "install Debian's prometheus package first" >&2; exit 1; }
mkdir -p "$DIR"
# The rule groups of the PrometheusRule, as a plain rule file.
python3 - "$ROOT/k8s/observability/prometheus-rules.yaml" "$DIR/rules.yaml" <<'PY'
import json, sys, yaml
rule = yaml.safe_load(open(sys.argv[1]))
json.dump({"groups": rule["spec"]["groups"]}, open(sys.argv[2], "w"), indent=2)
PY
targets() {
  local t="" p
  for p in "$@"; do t+="${t:+, }'127.0.0.1:$p'"; done
  echo "[$t]"
}
cat > "$DIR/prometheus.yml" <<YAML
global:
  scrape_interval: 5s
  evaluation_interval: 5s
rule_files:
  - $DIR/rules.yaml
scrape_configs:
  - job_name: convnet
    static_configs:
      - targets: $(targets "${CONVNET_GATEWAY_PORT:-8080}" "${CONVNET_TRAINER_PORT:-8081}" ${CONVNET_WORKER_PORTS:-8082 8083} "${CONVNET_VISUALIZER_PORT:-8084}")
YAML
promtool check config "$DIR/prometheus.yml" >/dev/null
echo "Prometheus on $URL (data in $DIR); report: $0 report"
exec prometheus --config.file="$DIR/prometheus.yml" --storage.tsdb.path="$DIR/data" \
  --web.listen-address="127.0.0.1:$PORT" --log.level=warn
