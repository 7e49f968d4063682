#!/usr/bin/env bash
# Fault benchmark (a program, not a test): the Kafka broker stopped for a while under light load
# (gateway liveness, 503s, readiness, recovery), then kill -9 of one of two inference workers under
# classify load at concurrency 8 (failed calls, slowest call). Prints the figures with the CPU.
# Arguments: [outage seconds, default 15] [runs, default 1]. Service logs: src-test/target/e2e-logs.
set -euo pipefail
cd "$(dirname "$0")"
nice mvn -q -B -DskipTests package
cd src-test
exec java -Xmx1g -Dvertx.cacheDirBase=target/vertx-cache \
  -Dorg.bytedeco.javacpp.cachedir="${CONVNET_JAVACPP_CACHE:-$HOME/.cache/convnet-javacpp}" ${CONVNET_BENCH_JAVA_OPTS:-} \
  -cp "target/test-classes:$(cat target/test-classpath.txt)" io.convnet.bench.FaultBenchmark "$@"
