# One image per service, built from this repository:
#   docker build --build-arg SERVICE=gateway -t convnet-cluster/gateway:0.1.0 .
#   (SERVICE: gateway, trainer-service, inference-worker, visualizer-service)
# GPU nodes (trainer, visualizer): TensorFlow's CUDA build on a CUDA 12 + cuDNN 9 runtime:
#   docker build --build-arg SERVICE=trainer-service --build-arg MAVEN_PROFILE=gpu \
#     --build-arg RUNTIME=nvidia/cuda:12.5.1-cudnn-runtime-ubuntu22.04 -t convnet-cluster/trainer-service:0.1.0-gpu .
#
# Base images are pinned by exact tag and digest (refresh both together:
# `docker buildx imagetools inspect <image>:<tag>` prints the digest).
#
# JVM options, one convention: what the image itself needs (native library path, scratch
# directories, exit on OutOfMemoryError, class path, main class) is written at build time into
# the argument file /app/java.args; everything an operator tunes (heap share, GC) comes from
# JAVA_TOOL_OPTIONS, which the Kubernetes Deployments set.
ARG RUNTIME=eclipse-temurin:17.0.16_8-jre-jammy@sha256:e90fd2b084488c0ffdd22610d44c1579e63b585c7fb83489fd815c0dc5b4e1f7

FROM maven:3.9.11-eclipse-temurin-17@sha256:e4a7ace3dc0d645ed97f8d9ad0b0d3f0b14fa8d150138f27f116d7105a639b82 AS build
ARG SERVICE
ARG MAVEN_PROFILE=cpu
RUN test -n "$SERVICE" || { echo "--build-arg SERVICE=<module> is required" >&2; exit 1; }
WORKDIR /src
# Dependencies in their own layer: the POMs alone build empty modules, which downloads every
# dependency and plugin the real build uses; a source change starts after this layer.
COPY pom.xml ./
COPY proto/pom.xml proto/
COPY proto-standard/pom.xml proto-standard/
COPY convnet/pom.xml convnet/
COPY convnet-tools/pom.xml convnet-tools/
COPY serving/pom.xml serving/
COPY local-kafka/pom.xml local-kafka/
COPY service-kit/pom.xml service-kit/
COPY gateway/pom.xml gateway/
COPY trainer-service/pom.xml trainer-service/
COPY inference-worker/pom.xml inference-worker/
COPY visualizer-service/pom.xml visualizer-service/
COPY src-test/pom.xml src-test/
RUN mvn -B -q -P"$MAVEN_PROFILE" -pl "$SERVICE" -am -DskipTests package && rm -rf */target target
COPY . .
RUN mvn -B -q -P"$MAVEN_PROFILE" -pl "$SERVICE" -am -DskipTests package \
 && mvn -B -q -P"$MAVEN_PROFILE" -pl "$SERVICE" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory=/app/lib \
 && cp "$SERVICE"/target/"$SERVICE"-*.jar /app/lib/ \
 && case "$SERVICE" in \
      gateway) echo io.convnet.gateway.GatewayMain ;; \
      trainer-service) echo io.convnet.trainer.TrainerMain ;; \
      inference-worker) echo io.convnet.worker.InferenceWorkerMain ;; \
      visualizer-service) echo io.convnet.visualizer.VisualizerMain ;; \
      *) echo "unknown service $SERVICE" >&2; exit 1 ;; \
    esac > /app/main-class
# Loads TensorFlow once at image build (below), which unpacks its native libraries.
RUN mkdir -p /app/tools \
 && printf '%s\n' 'public class UnpackNatives { public static void main(String[] a) {' \
      '  System.out.println("TensorFlow " + org.tensorflow.TensorFlow.version() + " loads"); } }' \
      > /app/tools/UnpackNatives.java \
 && if ls /app/lib/tensorflow-core-api-*.jar >/dev/null 2>&1; then \
      javac -cp '/app/lib/*' -d /app/tools /app/tools/UnpackNatives.java; fi \
 && rm /app/tools/UnpackNatives.java

FROM ${RUNTIME}
ARG RUNTIME
ARG SERVICE
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="convnet-cluster/${SERVICE}" \
      org.opencontainers.image.description="convnet-cluster ${SERVICE}: trains, serves, batch-scores and explains CNNs over Kafka" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="${RUNTIME}"
# CUDA base images have no Java.
RUN if ! command -v java >/dev/null; then \
      apt-get update && apt-get install -y --no-install-recommends openjdk-17-jre-headless \
      && rm -rf /var/lib/apt/lists/*; fi \
 && useradd --uid 10001 --user-group --no-create-home --home-dir /nonexistent convnet
COPY --from=build /app /app
# TensorFlow's natives (about 650 MB) are unpacked here, once, and read from this read-only
# path at run time (java.library.path + JavaCPP's pathsFirst). A JavaCPP cachedir cannot be
# used: JavaCPP needs its cache root writable and otherwise extracts everything again into
# java.io.tmpdir at every start.
RUN set -e; args=/app/java.args; \
    printf '%s\n' -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/tmp -Dvertx.cacheDirBase=/tmp/vertx-cache > "$args"; \
    if [ -f /app/tools/UnpackNatives.class ]; then \
      java -Dorg.bytedeco.javacpp.cachedir=/opt/convnet/natives -cp '/app/lib/*:/app/tools' UnpackNatives; \
      natives=$(find /opt/convnet/natives -name 'libjnitensorflow.so' -printf '%h\n' | head -1); \
      test -n "$natives"; \
      printf '%s\n' "-Djava.library.path=$natives" -Dorg.bytedeco.javacpp.pathsFirst=true >> "$args"; \
    fi; \
    printf '%s\n' -cp '/app/lib/*' "$(cat /app/main-class)" >> "$args"; \
    rm -rf /app/tools /app/main-class; chmod -R a-w /app /opt/convnet 2>/dev/null || true
USER 10001:10001
ENV TF_CPP_MIN_LOG_LEVEL=1
# Exec form: java is PID 1 and gets SIGTERM directly (the services stop gracefully on it).
ENTRYPOINT ["java", "@/app/java.args"]
