#!/usr/bin/env bash
# Round-trip benchmark (a program, not a test): HTTP -> gateway -> Kafka -> service -> Kafka
# -> gateway -> HTTP, a bare Vert.x/Kafka echo and the service kit side by side, at
# concurrency 1, 8 and 32. Arguments: [window seconds, default 1.5] [windows per system and level, default 10].
# -Dconvnet.kafka.bootstrap=host:port (in CONVNET_BENCH_JAVA_OPTS) uses an external broker.
set -euo pipefail
cd "$(dirname "$0")"
nice mvn -q -B -DskipTests package
exec java -Xmx1g ${CONVNET_BENCH_JAVA_OPTS:-} -cp "src-test/target/test-classes:$(cat src-test/target/test-classpath.txt)" \
  io.convnet.bench.RoundTripBenchmark "$@"
