package io.convnet.kit.http;

import io.convnet.kit.ServiceException;
import io.convnet.proto.ErrorCode;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that maps {@link ErrorCode} to an HTTP status and writes the error body
 * {@code {"error": {"status": 404, "code": "NOT_FOUND", "message": "..."}}}; a 503 carries
 * {@code Retry-After}.
 */
public final class HttpErrors {
  private static final Logger LOG = LoggerFactory.getLogger(HttpErrors.class);
  /** A 503 says when to try again unless the route said so itself. */
  static final String RETRY_AFTER_SECONDS = "1";
  /** Routing-context key of the {@link ErrorCode} name a request was answered with (for the audit log). */
  public static final String CODE = "convnet.error.code";

  private HttpErrors() {
  }

  public static int status(ErrorCode code) {
    return switch (code) {
      case INVALID_ARGUMENT -> 400;
      case UNAUTHENTICATED -> 401;
      case PERMISSION_DENIED -> 403;
      case NOT_FOUND -> 404;
      case CONFLICT -> 409;
      case PAYLOAD_TOO_LARGE -> 413;
      case UNSUPPORTED_MEDIA_TYPE -> 415;
      case CANCELLED -> 499;
      case BUSY, UNAVAILABLE -> 503;
      case DEADLINE_EXCEEDED -> 504;
      default -> 500;
    };
  }

  public static JsonObject body(ErrorCode code, String message) {
    return new JsonObject().put("error", new JsonObject()
        .put("status", status(code)).put("code", code.name()).put("message", message));
  }

  /** Ends the request with the error {@code failure} stands for. */
  public static void respond(RoutingContext ctx, Throwable failure) {
    ServiceException e = ServiceException.of(failure);
    if (e.code() == ErrorCode.INTERNAL) {
      LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), failure);
    }
    respond(ctx, e.code(), e.getMessage());
  }

  public static void respond(RoutingContext ctx, ErrorCode code, String message) {
    if (ctx.response().ended()) {
      return;
    }
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    int status = status(code);
    if (status == 503 && !ctx.response().headers().contains("retry-after")) {
      ctx.response().putHeader("retry-after", RETRY_AFTER_SECONDS);  // busy or Kafka down: soon better
    }
    ctx.put(CODE, code.name());
    ctx.response().setStatusCode(status)
        .putHeader("content-type", "application/json")
        .end(body(code, message).encode());
  }

  /** JSON errors for failed handlers and for what the router itself refuses (404, 405, 413). */
  public static void install(Router router) {
    router.errorHandler(404, ctx -> respond(ctx, ErrorCode.NOT_FOUND,
        "no route for " + ctx.request().method() + " " + ctx.request().path()));
    router.errorHandler(405, ctx -> respond(ctx, ErrorCode.INVALID_ARGUMENT,
        ctx.request().method() + " is not allowed on " + ctx.request().path()));
    router.errorHandler(413, ctx -> respond(ctx, ErrorCode.PAYLOAD_TOO_LARGE, "request body is too large"));
    router.errorHandler(400, ctx -> fromFailure(ctx, ErrorCode.INVALID_ARGUMENT));
    router.errorHandler(500, ctx -> fromFailure(ctx, ErrorCode.INTERNAL));
  }

  private static void fromFailure(RoutingContext ctx, ErrorCode fallback) {
    if (ctx.failure() != null) {
      respond(ctx, ctx.failure());
    } else {
      respond(ctx, fallback, fallback == ErrorCode.INTERNAL ? "internal error" : "bad request");
    }
  }
}
