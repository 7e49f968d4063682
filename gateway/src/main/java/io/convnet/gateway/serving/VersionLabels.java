package io.convnet.gateway.serving;

import io.convnet.kit.ServiceException;
import io.convnet.proto.ErrorCode;
import io.vertx.core.Future;

/**
 * Version labels ({@code /labels/{l}} in TF Serving's paths, {@code version_label} in its gRPC
 * {@code ModelSpec}) to versions. The workers report only the served version today, so the one label
 * known is {@code stable}, which is what requests without a version get (design: "stable is what
 * unlabelled requests get"); any other is TF Serving's INVALID_ARGUMENT "Unrecognized servable
 * version label". When model labels arrive (issue 14) they come with the workers' models reply:
 * look the label up there, here, and nothing else changes.
 */
public final class VersionLabels {
  public static final String STABLE = "stable";

  /** The version {@code label} names for {@code model}: 0 for the served version. */
  public Future<Long> resolve(String model, String label) {
    if (STABLE.equals(label)) {
      return Future.succeededFuture(0L);
    }
    return Future.failedFuture(new ServiceException(ErrorCode.INVALID_ARGUMENT,
        "Unrecognized servable version label: " + label));
  }
}
