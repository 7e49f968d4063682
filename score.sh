#!/usr/bin/env bash
# Scores a folder of images through the cluster's score topics and writes the results to CSV.
#   ./score.sh --model cats-vs-dogs --folder ../shared/datasets/cats-vs-dogs/validation/cat --out cats.csv
#   ./score.sh --folder data/cats-vs-dogs/validation --recursive --by-reference --data-root data --out val.csv
#   ./score.sh --help
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cp_file="$here/inference-worker/target/runtime-classpath.txt"
jar=$(ls "$here"/inference-worker/target/inference-worker-*.jar 2>/dev/null | grep -v -- '-tests\.jar$' | head -1 || true)
if [ -z "$jar" ] || [ ! -f "$cp_file" ] \
    || [ -n "$(find "$here/inference-worker/src/main" "$here/serving/src/main" "$here/proto/src/main" "$here/convnet/src/main" -newer "$jar" -print -quit)" ]; then
  echo "building inference-worker..." >&2
  mvn -q -f "$here/pom.xml" -pl inference-worker -am -DskipTests package >&2
  jar=$(ls "$here"/inference-worker/target/inference-worker-*.jar | grep -v -- '-tests\.jar$' | head -1)
fi
exec java ${CONVNET_SCORE_JAVA_OPTS:--Xmx512m} -Dlog4j2.level=WARN -cp "$jar:$(cat "$cp_file")" \
  io.convnet.worker.cli.ScoreCommand "$@"
