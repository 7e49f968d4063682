package io.convnet.gateway.serving;

import io.convnet.kit.ServiceException;
import io.convnet.kit.http.HttpErrors;
import io.convnet.proto.ErrorCode;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the serving routes answer over HTTP: JSON bodies, and errors in one of two shapes with the
 * same statuses ({@link HttpErrors#status}): ours, {@code {"error": {"status", "code", "message"}}},
 * and the standard protocols', {@code {"error": "<message>"}} (TF Serving and the Open Inference
 * Protocol). A 503 says when to retry (an unread body is the upload gate's to drain or close).
 */
public final class HttpAnswers {
  private static final Logger LOG = LoggerFactory.getLogger(HttpAnswers.class);
  /** Seconds a client should wait before retrying a 503 (a model loading or being trained, workers busy). */
  static final String RETRY_AFTER_SECONDS = "10";

  private HttpAnswers() {
  }

  public static void json(RoutingContext ctx, JsonObject body) {
    ctx.response().putHeader("content-type", "application/json").end(body.encode());
  }

  /** A float as JSON shows it: 0.97, not 0.9700000286102295. */
  public static double number(float f) {
    return Double.parseDouble(Float.toString(f));
  }

  /** Our error body. */
  public static void fail(RoutingContext ctx, Throwable failure) {
    ServiceException e = unwrap(failure);
    if (prepare(ctx, e)) {
      HttpErrors.respond(ctx, e);
    }
  }

  /** The standard protocols' error body, {@code {"error": "<message>"}}. */
  public static void failAsSpec(RoutingContext ctx, Throwable failure) {
    ServiceException e = unwrap(failure);
    if (e.code() == ErrorCode.INTERNAL) {
      LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), failure);
    }
    if (prepare(ctx, e)) {
      ctx.response().setStatusCode(HttpErrors.status(e.code())).putHeader("content-type", "application/json")
          .end(new JsonObject().put("error", e.getMessage()).encode());
    }
  }

  static ServiceException unwrap(Throwable failure) {
    return ServiceException.of(failure instanceof java.util.concurrent.CompletionException c
        && c.getCause() != null ? c.getCause() : failure);
  }

  /** Headers for the failure; false when the response is already gone (then it is reset). */
  private static boolean prepare(RoutingContext ctx, ServiceException e) {
    if (ctx.response().ended()) {
      return false;
    }
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return false;
    }
    if (HttpErrors.status(e.code()) == 503) {
      ctx.response().putHeader("retry-after", RETRY_AFTER_SECONDS);
    }
    return true;
  }
}
