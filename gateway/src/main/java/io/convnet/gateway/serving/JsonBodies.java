package io.convnet.gateway.serving;

import io.convnet.kit.ServiceException;
import io.convnet.proto.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * JSON bodies of the TF Serving and Open Inference Protocol routes. Like those servers we read
 * the body as JSON whatever plain type it is sent with ({@code curl -d} says form-urlencoded);
 * binary and multipart types get UNSUPPORTED_MEDIA_TYPE.
 */
public final class JsonBodies {
  private static final Set<String> JSONISH = Set.of("", "application/json", "text/plain",
      "application/x-www-form-urlencoded");

  private JsonBodies() {
  }

  public static Future<JsonObject> read(RoutingContext ctx, long maxBytes) {
    return raw(ctx, maxBytes, false).map(RequestImages::json);
  }

  /** The body's bytes: JSON, or (with {@code anyType}) whatever it is, e.g. JSON followed by binary tensors. */
  public static Future<Buffer> raw(RoutingContext ctx, long maxBytes, boolean anyType) {
    String type = RequestBody.mediaType(ctx.request());
    if (!anyType && !isJson(type)) {
      return Future.failedFuture(new ServiceException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
          "Content-Type '" + type + "' is not supported here; send JSON (application/json)"));
    }
    return RequestBody.read(ctx.request(), maxBytes, maxBytes).map(RequestBody::raw);
  }

  /** A type these routes read as JSON. */
  public static boolean isJson(String mediaType) {
    return JSONISH.contains(mediaType);
  }
}
