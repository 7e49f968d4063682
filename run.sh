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
# the gateway's gRPC API (TF Serving's PredictionService, the Open Inference Protocol's GRPCInferenceService)
export CONVNET_GRPC_PORT=${CONVNET_GRPC_PORT:-8500}
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
  # TensorFlow allocates from many threads and frees whole models: few glibc arenas, and large blocks
  # mmap'ed (given back on free), or resident memory creeps up with model switches (docs/models.md)
  MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2} MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD_:-131072} \
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
  web page       http://localhost:$GATEWAY_PORT/
  cluster view   http://localhost:$GATEWAY_PORT/v1/cluster
  gateway        http://localhost:$GATEWAY_PORT/health/ready   http://localhost:$GATEWAY_PORT/metrics
  gRPC           localhost:$CONVNET_GRPC_PORT (tensorflow.serving.PredictionService, inference.GRPCInferenceService)
TEXT
for i in "${!SERVICE_NAMES[@]}"; do
  [ "$i" = 0 ] && continue
  printf '  %-30s http://localhost:%s/health/ready   http://localhost:%s/metrics\n' \
    "${SERVICE_NAMES[$i]}" "${SERVICE_PORTS[$i]}" "${SERVICE_PORTS[$i]}"
done
printf '  kafka          %s\n  logs           %s\n' "$CONVNET_KAFKA_BOOTSTRAP_SERVERS" "$LOGS"
printf '  model store    %s\n  data root      %s\n\n' "$CONVNET_MODEL_STORE" "$CONVNET_DATA_ROOT"

# --- first start: the store has no cats-vs-dogs model yet. A bundle given in CONVNET_SEED_BUNDLE is
# copied in; else a quick training job goes to the trainer (the workers load the model when it is
# published; until then classify answers 503 "being trained" and score records wait).
http_post() {  # port path json -> "status body"; plain bash, no curl needed
  { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || { echo "000"; return 0; }
  printf 'POST %s HTTP/1.0\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: %s\r\n\r\n%s' \
    "$2" "${#3}" "$3" >&3
  local status body
  read -r -t 30 _ status _ <&3 || status=000
  body=$(sed '1,/^\r\{0,1\}$/d' <&3)
  exec 3<&- 3>&-
  echo "$status $body"
}
first_model() {
  local name=cats-vs-dogs dir="$CONVNET_MODEL_STORE/cats-vs-dogs"
  ls "$dir"/[0-9]*/manifest.json >/dev/null 2>&1 && return 0
  if [ -n "${CONVNET_SEED_BUNDLE:-}" ]; then
    [ -f "$CONVNET_SEED_BUNDLE/manifest.json" ] || { say "CONVNET_SEED_BUNDLE=$CONVNET_SEED_BUNDLE holds no bundle (no manifest.json)"; return 0; }
    mkdir -p "$dir" && rm -rf "$dir/.tmp-seed" && cp -r "$CONVNET_SEED_BUNDLE" "$dir/.tmp-seed" && mv "$dir/.tmp-seed" "$dir/1"
    say "model store: $name version 1 copied from $CONVNET_SEED_BUNDLE; the workers load it within seconds"
    return 0
  fi
  if [ "${CONVNET_FIRST_START_TRAINING:-1}" = 0 ]; then
    say "the model store $CONVNET_MODEL_STORE has no $name model (CONVNET_FIRST_START_TRAINING=0: not training one)"
    return 0
  fi
  if [ ! -d "$CONVNET_DATA_ROOT/cats-vs-dogs/train" ]; then
    say "no $name model and no training data in $CONVNET_DATA_ROOT/cats-vs-dogs/train: set CONVNET_DATA_ROOT or CONVNET_SEED_BUNDLE"
    return 0
  fi
  local epochs=${CONVNET_FIRST_START_EPOCHS:-6}
  local response status body id
  response=$(http_post "$GATEWAY_PORT" /v1/training-jobs \
    "{\"architecture\":\"tutorial-cnn\",\"model\":\"$name\",\"dataDir\":\"cats-vs-dogs\",\"epochs\":$epochs,\"batchSize\":32,\"augment\":false,\"maxImagesPerClass\":0}")
  status=${response%% *}
  body=${response#* }
  case "$status" in
    200|201|202)
      id=$(printf '%s' "$body" | sed -n 's/.*"id" *: *"\{0,1\}\([^",}]*\).*/\1/p')
      say "the model store has no $name model: training a quick one (tutorial CNN, $epochs epochs, job $id)"
      say "  follow it:  curl http://localhost:$GATEWAY_PORT/v1/training-jobs/$id    (classify answers 503 until it is served)"
      ;;
    *)
      say "the model store has no $name model, and the trainer did not take a job (HTTP $status: ${body:0:200})"
      say "  train one:  ./convnet.sh train -d $CONVNET_DATA_ROOT/cats-vs-dogs --epochs $epochs --no-augment -o $CONVNET_MODEL_STORE"
      say "  or restart with CONVNET_SEED_BUNDLE=<a bundle directory>; the workers pick up new versions within seconds"
      ;;
  esac
}
first_model

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
