# One image per service, built from this repository:
#   docker build --build-arg SERVICE=gateway -t convnet-cluster/gateway:0.1.0 .
#   (SERVICE: gateway, trainer-service, inference-worker, visualizer-service)
# GPU nodes (trainer, visualizer): TensorFlow's CUDA build on a CUDA 12 + cuDNN 9 runtime:
#   docker build --build-arg SERVICE=trainer-service --build-arg MAVEN_PROFILE=gpu \
#     --build-arg RUNTIME=nvidia/cuda:12.5.1-cudnn-runtime-ubuntu22.04 -t convnet-cluster/trainer-service:0.1.0-gpu .
ARG RUNTIME=eclipse-temurin:17-jre-jammy

FROM maven:3.9-eclipse-temurin-17 AS build
ARG SERVICE
ARG MAVEN_PROFILE=cpu
WORKDIR /src
COPY . .
RUN test -n "$SERVICE" || { echo "--build-arg SERVICE=<module> is required" >&2; exit 1; }
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

FROM ${RUNTIME}
# CUDA base images have no Java.
RUN if ! command -v java >/dev/null; then \
      apt-get update && apt-get install -y --no-install-recommends openjdk-17-jre-headless \
      && rm -rf /var/lib/apt/lists/*; fi
COPY --from=build /app /app
RUN useradd --uid 10001 --no-create-home convnet
USER 10001
# TensorFlow's native libraries are unpacked at start; /tmp is writable for any user.
ENV JAVA_OPTS="-Dorg.bytedeco.javacpp.cachedir=/tmp/javacpp" \
    TF_CPP_MIN_LOG_LEVEL=1
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -cp '/app/lib/*' $(cat /app/main-class)"]
