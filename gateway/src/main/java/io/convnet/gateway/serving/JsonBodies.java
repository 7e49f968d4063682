package io.convnet.gateway.serving;

import io.convnet.gateway.http.RequestBody;
import io.convnet.kit.ServiceException;
import io.convnet.proto.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;
import java.util.function.Function;

/**
 * JSON bodies of the TF Serving and Open Inference Protocol routes. Like those servers we read
 * the body as JSON whatever plain type it is sent with ({@code curl -d} says form-urlencoded);
 * binary and multipart types get UNSUPPORTED_MEDIA_TYPE. Each route turns the body into what it
 * needs with a conversion, which runs off the event loop when the body is large.
 */
public final class JsonBodies {
  private static final Set<String> JSONISH = Set.of("", "application/json", "text/plain",
      "application/x-www-form-urlencoded");

  private JsonBodies() {
  }

  /** The body as a JSON object, turned by {@code conversion} into what the route needs. */
  public static <T> Future<T> read(RoutingContext ctx, long maxBytes, Function<JsonObject, T> conversion) {
    return raw(ctx, maxBytes, false, raw -> conversion.apply(RequestImages.json(raw)));
  }

  /**
   * The body's bytes, turned by {@code conversion}: JSON, or (with {@code anyType}) whatever it is,
   * e.g. JSON followed by binary tensors.
   */
  public static <T> Future<T> raw(RoutingContext ctx, long maxBytes, boolean anyType, Function<Buffer, T> conversion) {
    String type = RequestBody.mediaType(ctx.request());
    if (!anyType && !isJson(type)) {
      return Future.failedFuture(new ServiceException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
          "Content-Type '" + type + "' is not supported here; send JSON (application/json)"));
    }
    return RequestBody.read(ctx.request(), maxBytes, maxBytes)
        .compose(body -> body.convert(ctx.vertx(), b -> conversion.apply(b.raw())));
  }

  /** A type these routes read as JSON. */
  public static boolean isJson(String mediaType) {
    return JSONISH.contains(mediaType);
  }
}
