#!/usr/bin/env bash
# Runs the convnet command line (module convnet-tools), building it first when the sources are newer than the jar.
#   ./convnet.sh train -d ../shared/datasets/cats-vs-dogs --max-per-class 1000 --no-augment --epochs 30
#   ./convnet.sh evaluate --model cats-vs-dogs -d ../shared/datasets/cats-vs-dogs/validation
#   ./convnet.sh bench accuracy --setting tutorial-aug     ./convnet.sh --help
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jar="$here/convnet-tools/target/convnet-tools-0.1.0-SNAPSHOT.jar"
cp_file="$here/convnet-tools/target/runtime-classpath.txt"  # written by the package phase
if [ ! -f "$jar" ] || [ ! -f "$cp_file" ] \
    || [ -n "$(find "$here/convnet/src/main" "$here/convnet-tools/src/main" "$here/convnet/pom.xml" \
        "$here/convnet-tools/pom.xml" "$here/pom.xml" -newer "$jar" -print -quit)" ]; then
  echo "building convnet-tools..." >&2
  mvn -q -f "$here/pom.xml" -pl convnet-tools -am -DskipTests package >&2
fi
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-1}"  # TensorFlow: warnings and errors only
exec java ${CONVNET_JAVA_OPTS:--Xmx8g} \
  -Dlog4j2.level="${CONVNET_LOG_LEVEL:-INFO}" -Dorg.bytedeco.javacpp.cachedir="${CONVNET_JAVACPP_CACHE:-$HOME/.cache/convnet-javacpp}" \
  -cp "$jar:$(cat "$cp_file")" io.convnet.cli.ConvnetCli "$@"
