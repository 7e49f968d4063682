package io.convnet.gateway.http;

import io.convnet.kit.ServiceException;
import io.convnet.limits.LifecycleLimits;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.ModelRef;
import io.vertx.ext.web.RoutingContext;

/**
 * How every route names a model and, optionally, one of its versions:
 * {@code /v1/models/{name}[/versions/{v}]...} (also {@code /v2/models/...}). Without a version a
 * request gets the served one. The serving routes of v1 also take a version label instead,
 * {@code /v1/models/{name}/labels/{l}...} ({@link #V1_SERVED}); {@link #ref} reads either, and the
 * inference workers resolve the label (one place: they know the labels as they switch).
 */
public final class ModelPaths {
  /** Path segment of a model name: anything but '/' and ':' (the services check the name itself). */
  public static final String NAME = "(?<name>[^/:]+)";
  /** The optional {@code /versions/{v}} segment. */
  public static final String VERSION = "(?:/versions/(?<version>[^/:]+))?";
  /** {@code /v1/models/{name}[/versions/{v}]}, as a route regex. */
  public static final String V1_MODEL = "/v1/models/" + NAME + VERSION;
  /** The optional {@code /versions/{v}} or {@code /labels/{l}} segment. */
  public static final String VERSION_OR_LABEL = "(?:/versions/(?<version>[^/:]+)|/labels/(?<versionLabel>[^/:]+))?";
  /** {@code /v1/models/{name}[/versions/{v}|/labels/{l}]}, as a route regex: the serving routes (classify, predict, status). */
  public static final String V1_SERVED = "/v1/models/" + NAME + VERSION_OR_LABEL;
  /** {@code /v2/models/{name}[/versions/{v}]}, as a route regex. */
  public static final String V2_MODEL = "/v2/models/" + NAME + VERSION;

  private ModelPaths() {
  }

  public static String name(RoutingContext ctx) {
    return ctx.pathParam("name");
  }

  /**
   * The model, version and label the path names ({@link #V1_SERVED}; a route without the label segment
   * gives none): what every serving route sends the workers. INVALID_ARGUMENT for a bad version or label.
   */
  public static ModelRef ref(RoutingContext ctx) {
    ModelRef.Builder ref = ModelRef.newBuilder().setName(name(ctx)).setVersion(version(ctx));
    String label = ctx.pathParam("versionLabel");
    if (label != null && !label.isEmpty()) {
      ref.setLabel(label(label));
    }
    return ref.build();
  }

  /** A label as a path names it, or INVALID_ARGUMENT saying what a label may be. */
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
