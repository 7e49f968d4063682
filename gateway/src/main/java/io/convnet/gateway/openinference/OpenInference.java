package io.convnet.gateway.openinference;

import io.convnet.gateway.openinference.V2Tensors.Input;
import io.convnet.gateway.openinference.V2Tensors.Output;
import io.convnet.gateway.openinference.V2Tensors.Requested;
import io.convnet.gateway.serving.RequestImages;
import io.convnet.gateway.serving.Workers;
import io.convnet.kit.ServiceException;
import io.convnet.kit.http.Health;
import io.convnet.proto.ClassifyReply;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.ModelInfo;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;

/**
 * The Open Inference Protocol's operations over the workers, shared by its REST and gRPC
 * bindings: server and model readiness and metadata, and inference as one classify request over
 * Kafka. Booleans answer "not ready" with the reason; unknown models are NOT_FOUND.
 */
final class OpenInference {
  /** For calls without a deadline of their own: the request timeout bounds them. */
  static final Duration NO_DEADLINE = Duration.ofDays(1);
  static final String SERVER_NAME = "convnet-cluster";
  static final String PLATFORM = "tensorflow_savedmodel";
  /** What this server implements of Triton's extensions (reported by server metadata). */
  static final List<String> EXTENSIONS = List.of("binary_tensor_data", "classification", "model_repository",
      "statistics", "parameters");

  /** An answered inference: the version that answered and the outputs asked for. */
  record Result(ClassifyReply reply, List<Output> outputs) {
  }

  final Workers workers;
  final RequestImages images;
  final String serverVersion;
  private final Health health;

  OpenInference(Workers workers, RequestImages images, Health health, String serverVersion) {
    this.workers = workers;
    this.images = images;
    this.health = health;
    this.serverVersion = serverVersion;
  }

  /** Null when ready: this gateway is, and a worker answers that it serves a model; else why not. */
  Future<String> notReadyReason() {
    return health.evaluate().compose(h -> "UP".equals(h.getString("status"))
            ? workers.probe("", 0).map(reply -> reply.getModelsList().stream().anyMatch(m -> m.getServedVersion() > 0)
                ? null : "no worker serves a model yet")
            : Future.succeededFuture("gateway not ready: " + h.getJsonObject("checks").encode()))
        .recover(e -> Future.succeededFuture(e.getMessage()));
  }

  /** Null when the model (version) answers requests now; NOT_FOUND when unknown; else why not. */
  Future<String> modelNotReadyReason(String model, long version) {
    return workers.probe(model, version).map(reply -> reply.getModelsList().stream().anyMatch(m -> version == 0
            ? m.getServedVersion() > 0
            : m.getVersionsList().stream().anyMatch(s -> s.getVersion() == version && !s.getState().equals("FAILED")))
            ? null : "model '" + model + "' is not loaded yet")
        .recover(e -> ServiceException.of(e).code() == ErrorCode.NOT_FOUND ? Future.failedFuture(e)
            : Future.succeededFuture(e.getMessage()));
  }

  Future<ModelInfo> model(String model, long version, Duration timeout) {
    return workers.models(model, version, timeout).map(reply -> reply.getModels(0));
  }

  Future<Result> infer(String model, long version, List<Input> inputs, List<Requested> outputs, boolean binaryDefault,
                       Duration timeout) {
    io.convnet.gateway.serving.ClassifyInput input;
    try {
      input = V2Tensors.input(model, inputs, images);
      V2Tensors.check(model, outputs);
    } catch (RuntimeException e) {
      return workers.rejected(model, version, e);
    }
    return workers.classify(model, version, input, timeout)
        .map(reply -> new Result(reply, V2Tensors.outputs(model, reply, outputs, binaryDefault)));
  }
}
