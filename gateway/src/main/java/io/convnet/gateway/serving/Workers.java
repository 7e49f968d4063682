package io.convnet.gateway.serving;

import io.convnet.kit.ServiceException;
import io.convnet.kit.kafka.KafkaRequester;
import io.convnet.proto.ClassifyReply;
import io.convnet.proto.ClassifyRequest;
import io.convnet.proto.Exchanges;
import io.convnet.proto.ModelRef;
import io.convnet.proto.ModelTrafficReply;
import io.convnet.proto.ModelTrafficRequest;
import io.convnet.proto.ModelsReply;
import io.convnet.proto.ModelsRequest;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;

/**
 * The inference workers as every serving protocol sees them: classify and models over Kafka.
 * Every protocol's request becomes a {@link ClassifyInput} and goes through {@link #classify} (which
 * stages its large images as {@link StagedUploads} and keeps the {@link InferStats}); its answer is the
 * worker's {@link ClassifyReply}.
 */
public final class Workers {
  private final KafkaRequester requester;
  private final StagedUploads uploads;
  private final Duration requestTimeout;
  private final Duration probeTimeout;
  private final InferStats stats = new InferStats();

  /**
   * @param uploads        where large images are staged, to travel by name
   * @param requestTimeout the longest a request waits for its reply (CONVNET_REQUEST_TIMEOUT_MS)
   * @param probeTimeout   how long readiness probes wait
   */
  public Workers(KafkaRequester requester, StagedUploads uploads, Duration requestTimeout, Duration probeTimeout) {
    this.requester = requester;
    this.uploads = uploads;
    this.requestTimeout = requestTimeout;
    this.probeTimeout = probeTimeout;
  }

  /** Classifies within the request timeout. */
  public Future<ClassifyReply> classify(String model, long version, ClassifyInput input) {
    return classify(model, version, input, requestTimeout);
  }

  /** Classifies; {@code timeout} (a client's deadline) bounds the wait, never beyond the request timeout. */
  public Future<ClassifyReply> classify(String model, long version, ClassifyInput input, Duration timeout) {
    ClassifyRequest.Builder request = ClassifyRequest.newBuilder()
        .setModel(ModelRef.newBuilder().setName(model).setVersion(version));
    input.addTo(request);
    long t0 = System.nanoTime();
    return uploads.send(input.imageList(), images -> requester.request(Exchanges.CLASSIFY,
            request.clearImages().addAllImages(images).build(), bounded(timeout)))
        .onSuccess(reply -> stats.success(model, input.count(), reply, System.nanoTime() - t0))
        .onFailure(e -> stats.failure(model, version, ServiceException.of(e).code(), System.nanoTime() - t0));
  }

  /** A request for {@code model} that failed before it could be sent (bad input): it counts as failed. */
  public <T> Future<T> rejected(String model, long version, Throwable failure) {
    stats.failure(model, version, ServiceException.of(failure).code(), 0);
    return Future.failedFuture(failure);
  }

  public Future<ModelsReply> models(String model, long version) {
    return models(model, version, requestTimeout);
  }

  public Future<ModelsReply> models(String model, long version, Duration timeout) {
    return requester.request(Exchanges.MODELS, ModelsRequest.newBuilder().setName(model).setVersion(version).build(),
        bounded(timeout));
  }

  /** Any models request, e.g. one asking for a version's file. */
  public Future<ModelsReply> models(ModelsRequest request) {
    return requester.request(Exchanges.MODELS, request, requestTimeout);
  }

  /** What every worker served per version of {@code model} (all models when empty), as many as answer in {@code window}. */
  public Future<List<ModelTrafficReply>> traffic(String model, Duration window) {
    return requester.gather(Exchanges.MODEL_TRAFFIC, ModelTrafficRequest.newBuilder().setName(model).build(), window);
  }

  /** For health and readiness probes: answers within the probe timeout or fails. */
  public Future<ModelsReply> probe(String model, long version) {
    return models(model, version, probeTimeout);
  }

  public InferStats stats() {
    return stats;
  }

  /** {@code timeout}, at least 1 ms, at most the request timeout. */
  public Duration bounded(Duration timeout) {
    return timeout.compareTo(requestTimeout) > 0 ? requestTimeout
        : timeout.toMillis() < 1 ? Duration.ofMillis(1) : timeout;
  }
}
