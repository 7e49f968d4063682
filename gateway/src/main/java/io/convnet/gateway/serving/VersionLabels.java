package io.convnet.gateway.serving;

import io.convnet.kit.ServiceException;
import io.convnet.limits.LifecycleLimits;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.ModelInfo;
import io.vertx.core.Future;

/**
 * Version labels ({@code /labels/{l}} in TF Serving's paths, {@code version_label} in its gRPC
 * {@code ModelSpec}, and our own {@code .../labels/{l}/classify}) to versions, as the workers know the
 * model's labels (their models reply, which follows the labels kept in the store). A label the model
 * does not have is TF Serving's INVALID_ARGUMENT "Unrecognized servable version label". {@code stable}
 * names the served version even for a model without labels kept (it is what unlabelled requests get).
 */
public final class VersionLabels {
  public static final String STABLE = LifecycleLimits.STABLE;

  private final Workers workers;

  public VersionLabels(Workers workers) {
    this.workers = workers;
  }

  /** The version a path or model spec names: {@code version} (0: the served one), or the one {@code label} names. */
  public Future<Long> version(String model, long version, String label) {
    return label == null ? Future.succeededFuture(version) : resolve(model, label);
  }

  /** The version {@code label} names for {@code model}. */
  public Future<Long> resolve(String model, String label) {
    return workers.models(model, 0).compose(reply -> {
      ModelInfo info = reply.getModels(0);
      Long version = info.getVersionLabelsMap().get(label);
      if (version == null && STABLE.equals(label) && info.getServedVersion() != 0) {
        version = info.getServedVersion();
      }
      return version != null ? Future.succeededFuture(version)
          : Future.failedFuture(new ServiceException(ErrorCode.INVALID_ARGUMENT,
              "Unrecognized servable version label: " + label));
    });
  }
}
