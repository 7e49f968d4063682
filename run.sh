#!/usr/bin/env bash
# Runs the whole cluster on this machine: a Kafka broker (KRaft, Kafka's own jars),
# the gateway, the trainer, two inference workers and the visualizer, each its own JVM.
# Builds what is missing first. Ctrl-C (or SIGTERM) stops the services, then the broker.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD

RUN_DIR=${CONVNET_RUN_DIR:-$ROOT/run}
LOGS=$RUN_DIR/logs
KAFKA_PORT=${CONVNET_KAFKA_PORT:-9092}
export CONVNET_KAFKA_BOOTSTRAP_SERVERS=${CONVNET_KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:$KAFKA_PORT}
GATEWAY_PORT=${CONVNET_GATEWAY_PORT:-8080}
TRAINER_PORT=${CONVNET_TRAINER_PORT:-8081}
WORKER_PORTS=(${CONVNET_WORKER_PORTS:-8082 8083})
VISUALIZER_PORT=${CONVNET_VISUALIZER_PORT:-8084}
# Heap per JVM; TensorFlow's tensors live outside it, so leave the rest of memory to them.
SERVICE_JAVA_OPTS=${CONVNET_SERVICE_JAVA_OPTS:--Xmx512m}
KAFKA_JAVA_OPTS=${CONVNET_KAFKA_JAVA_OPTS:--Xmx512m}
READY_TIMEOUT=${CONVNET_READY_TIMEOUT_S:-120}
# Training needs more heap (decoded images, the decode cache); tensors still live outside it.
TRAINER_JAVA_OPTS=${CONVNET_TRAINER_JAVA_OPTS:--Xmx4g}
# One model store for every service; training data from the shared datasets beside the checkout.
export CONVNET_MODEL_STORE=${CONVNET_MODEL_STORE:-$ROOT/models}
if [ -z "${CONVNET_DATA_ROOT:-}" ]; then
  if [ -d "$ROOT/../shared/datasets" ]; then
    CONVNET_DATA_ROOT=$(cd "$ROOT/../shared/datasets" && pwd)
  else
    CONVNET_DATA_ROOT=$ROOT/data
  fi
fi
export CONVNET_DATA_ROOT
# TensorFlow: natives unpacked once (as convnet.sh does), warnings and errors only.
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-1}
JAVACPP_CACHE=${CONVNET_JAVACPP_CACHE:-$HOME/.cache/convnet-javacpp}

say() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" 2>/dev/null || true; }
# A closed terminal or pipe must not cut the clean stop short.
trap '' PIPE

# --- build what is missing: a jar or class path file absent, or sources newer than the last build
STAMP=$RUN_DIR/.built
build_needed() {
  [ -f "$STAMP" ] || return 0
  for m in local-kafka gateway trainer-service inference-worker visualizer-service; do
    [ -f "$m/target/runtime-classpath.txt" ] || return 0
    ls "$m"/target/"$m"-*.jar >/dev/null 2>&1 || return 0
  done
  [ -n "$(find . -path ./run -prune -o -path '*/target' -prune -o \
      \( -name pom.xml -o -path '*/src/main/*' \) -type f -newer "$STAMP" -print -quit)" ]
}
mkdir -p "$LOGS"
if build_needed; then
  say "building (mvn -DskipTests package) ..."
  nice mvn -q -B -DskipTests package
  touch "$STAMP"
fi

classpath() {  # module -> its jar plus its runtime dependencies
  local jar
  jar=$(ls "$1"/target/"$1"-*.jar | grep -v -- '-tests\.jar$' | head -1)
  echo "$jar:$(cat "$1/target/runtime-classpath.txt")"
}

# --- process bookkeeping; setsid keeps Ctrl-C away from the children: we stop them in order
SERVICE_PIDS=()
SERVICE_NAMES=()
KAFKA_PID=
STOPPING=
stop_all() {
  [ -n "$STOPPING" ] && return
  STOPPING=1
  if [ ${#SERVICE_PIDS[@]} -gt 0 ]; then
    say "stopping services ..."
    kill -TERM "${SERVICE_PIDS[@]}" 2>/dev/null || true
    for i in "${!SERVICE_PIDS[@]}"; do
      local pid=${SERVICE_PIDS[$i]} n=0
      while kill -0 "$pid" 2>/dev/null && [ $n -lt 300 ]; do sleep 0.1; n=$((n + 1)); done
      if kill -0 "$pid" 2>/dev/null; then
        say "${SERVICE_NAMES[$i]} did not stop in 30 s: killing it"; kill -KILL "$pid" 2>/dev/null || true
      fi
    done
  fi
  if [ -n "$KAFKA_PID" ]; then
    say "stopping the Kafka broker ..."
    kill -TERM "$KAFKA_PID" 2>/dev/null || true
    local n=0
    while kill -0 "$KAFKA_PID" 2>/dev/null && [ $n -lt 300 ]; do sleep 0.1; n=$((n + 1)); done
    kill -KILL "$KAFKA_PID" 2>/dev/null || true
  fi
  say "stopped"
}
trap 'stop_all; exit 0' INT TERM
trap 'stop_all' EXIT

http_status() {  # port path -> HTTP status code, or 000; plain bash, no curl needed
  local status=000
  if { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null; then
    printf 'GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n' "$2" >&3
    read -r -t 5 _ status _ <&3 || status=000
    exec 3<&- 3>&-
  fi
  echo "$status"
}

# --- the broker (data kept in run/kafka: topics and the models topic survive a restart)
say "starting Kafka on $CONVNET_KAFKA_BOOTSTRAP_SERVERS (data in $RUN_DIR/kafka, log $LOGS/kafka.log)"
setsid java $KAFKA_JAVA_OPTS -cp "$(classpath local-kafka)" io.convnet.kafka.local.LocalKafkaMain \
  "$KAFKA_PORT" "$RUN_DIR/kafka" >"$LOGS/kafka.log" 2>&1 &
KAFKA_PID=$!
for _ in $(seq 1 600); do
  grep -q '^READY' "$LOGS/kafka.log" 2>/dev/null && break
  if ! kill -0 "$KAFKA_PID" 2>/dev/null; then
    KAFKA_PID=; say "Kafka did not start:"; tail -20 "$LOGS/kafka.log"; exit 1
  fi
  sleep 0.1
done
grep -q '^READY' "$LOGS/kafka.log" || { say "Kafka not ready in 60 s:"; tail -20 "$LOGS/kafka.log"; exit 1; }

# --- the services
start_service() {  # module main-class port instance-id [java options, default $SERVICE_JAVA_OPTS]
  say "starting $4 on port $3 (log $LOGS/$4.log)"
  CONVNET_HTTP_PORT=$3 CONVNET_INSTANCE_ID=$4 setsid java ${5:-$SERVICE_JAVA_OPTS} \
    -Dvertx.cacheDirBase="$RUN_DIR/vertx-cache" -Dorg.bytedeco.javacpp.cachedir="$JAVACPP_CACHE" \
    -cp "$(classpath "$1")" "$2" >"$LOGS/$4.log" 2>&1 &
  SERVICE_PIDS+=($!)
  SERVICE_NAMES+=("$4")
  SERVICE_PORTS+=("$3")
}
SERVICE_PORTS=()
HOST=$(hostname)
start_service gateway io.convnet.gateway.GatewayMain "$GATEWAY_PORT" "gateway-$HOST"
start_service trainer-service io.convnet.trainer.TrainerMain "$TRAINER_PORT" "trainer-service-$HOST" "$TRAINER_JAVA_OPTS"
n=0
for port in "${WORKER_PORTS[@]}"; do
  n=$((n + 1))
  start_service inference-worker io.convnet.inference.InferenceWorkerMain "$port" "inference-worker-$HOST-$n"
done
start_service visualizer-service io.convnet.visualizer.VisualizerMain "$VISUALIZER_PORT" "visualizer-service-$HOST"

for i in "${!SERVICE_PIDS[@]}"; do
  deadline=$((SECONDS + READY_TIMEOUT))
  until [ "$(http_status "${SERVICE_PORTS[$i]}" /health/ready)" = 200 ]; do
    if ! kill -0 "${SERVICE_PIDS[$i]}" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
      say "${SERVICE_NAMES[$i]} did not become ready:"; tail -20 "$LOGS/${SERVICE_NAMES[$i]}.log"; exit 1
    fi
    sleep 0.3
  done
done

http_body() {  # port path -> response body
  { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 0
  printf 'GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n' "$2" >&3
  sed '1,/^\r\{0,1\}$/d' <&3
  exec 3<&- 3>&-
}
# Every instance answers the gateway's status ping: the cluster view is complete.
expected=${#SERVICE_PIDS[@]}
deadline=$((SECONDS + 30))
until http_body "$GATEWAY_PORT" /v1/cluster | grep -q "\"count\":$expected[,}]"; do
  [ $SECONDS -ge $deadline ] && { say "warning: /v1/cluster does not list all $expected instances yet"; break; }
  sleep 0.5
done

cat <<TEXT

convnet-cluster is up (Ctrl-C stops it):
  cluster view   http://localhost:$GATEWAY_PORT/v1/cluster
  gateway        http://localhost:$GATEWAY_PORT/   health /health/ready   metrics /metrics
TEXT
for i in "${!SERVICE_NAMES[@]}"; do
  [ "$i" = 0 ] && continue
  printf '  %-30s http://localhost:%s/health/ready   http://localhost:%s/metrics\n' \
    "${SERVICE_NAMES[$i]}" "${SERVICE_PORTS[$i]}" "${SERVICE_PORTS[$i]}"
done
printf '  kafka          %s\n  logs           %s\n' "$CONVNET_KAFKA_BOOTSTRAP_SERVERS" "$LOGS"
printf '  model store    %s\n  data root      %s\n\n' "$CONVNET_MODEL_STORE" "$CONVNET_DATA_ROOT"

# Wait until a signal; report a service that dies on its own.
declare -A REPORTED=()
while true; do
  for i in "${!SERVICE_PIDS[@]}"; do
    if [ -z "${REPORTED[$i]:-}" ] && ! kill -0 "${SERVICE_PIDS[$i]}" 2>/dev/null; then
      say "${SERVICE_NAMES[$i]} exited; see $LOGS/${SERVICE_NAMES[$i]}.log"; REPORTED[$i]=1
    fi
  done
  sleep 1 &
  wait $! || true
done
