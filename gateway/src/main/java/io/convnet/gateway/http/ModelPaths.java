package io.convnet.gateway.http;

import io.convnet.kit.ServiceException;
import io.convnet.limits.LifecycleLimits;
import io.convnet.proto.ErrorCode;
import io.vertx.ext.web.RoutingContext;

/**
 * How every route names a model and, optionally, one of its versions:
 * {@code /v1/models/{name}[/versions/{v}]...} (also {@code /v2/models/...}). Without a version a
 * request gets the served one.
 */
public final class ModelPaths {
  /** Path segment of a model name: anything but '/' and ':' (the services check the name itself). */
  public static final String NAME = "(?<name>[^/:]+)";
  /** The optional {@code /versions/{v}} segment. */
  public static final String VERSION = "(?:/versions/(?<version>[^/:]+))?";
  /** {@code /v1/models/{name}[/versions/{v}]}, as a route regex. */
  public static final String V1_MODEL = "/v1/models/" + NAME + VERSION;
  /** {@code /v2/models/{name}[/versions/{v}]}, as a route regex. */
  public static final String V2_MODEL = "/v2/models/" + NAME + VERSION;
  /**
   * TF Serving's model path, {@code /v1/models/{name}[/versions/{v}|/labels/{l}]}, as a route regex: a
   * version or a version label (the routes that take one resolve it, see {@link #versionLabel}).
   */
  public static final String V1_MODEL_SPEC = "/v1/models/" + NAME
      + "(?:/versions/(?<version>[^/:]+)|/labels/(?<versionLabel>[^/:]+))?";

  private ModelPaths() {
  }

  public static String name(RoutingContext ctx) {
    return ctx.pathParam("name");
  }

  /** The path's {@code /labels/{l}}; null when absent. */
  public static String versionLabel(RoutingContext ctx) {
    String label = ctx.pathParam("versionLabel");
    return label == null || label.isEmpty() ? null : label;
  }

  /** A label a path names to change it, or INVALID_ARGUMENT saying what a label may be. */
  public static String label(String label) {
    return ServiceException.checking(() -> LifecycleLimits.checkLabel(label));
  }

  /** The path's {@code /versions/{v}} as a number; 0 when absent; INVALID_ARGUMENT when not a positive integer. */
  public static long version(RoutingContext ctx) {
    String v = ctx.pathParam("version");
    if (v == null || v.isEmpty()) {
      return 0;
    }
    try {
      long version = Long.parseLong(v);
      if (version > 0) {
        return version;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new ServiceException(ErrorCode.INVALID_ARGUMENT, "version must be a positive integer, not '" + v + "'");
  }
}
