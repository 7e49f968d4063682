package io.convnet.gateway.http;

import io.convnet.kit.config.KitConfig;
import io.convnet.kit.config.Setting;
import io.convnet.kit.http.HttpErrors;
import io.convnet.proto.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * The first handler of every gateway route: what a request body may cost before any route reads
 * it. A body announced larger than the largest any route takes is refused at once (413); one
 * whose bytes do not fit the gateway's {@link BodyBudget} is refused at once with 503 and
 * {@code Retry-After} (a body without a length counts as the largest). Both answers go out before
 * the body is uploaded: a client that sent {@code Expect: 100-continue} never gets its 100. A body
 * that stalls for {@link #BODY_TIMEOUT_MS} gets 408 and its connection closed. Any answer sent
 * before its request's body was read (these, a 401 or 403, a route's refusal) closes the connection
 * once the client had a moment to read it.
 */
public final class UploadGate implements Handler<RoutingContext> {
  public static final Setting MAX_INFLIGHT_BODY_BYTES = new Setting("CONVNET_MAX_INFLIGHT_BODY_BYTES",
      "a quarter of the heap", "request body bytes the gateway holds at once, over all requests; a body that does "
      + "not fit gets 503 BUSY with Retry-After before it is sent (bodies over 1 MiB share half of it)");
  public static final Setting BODY_TIMEOUT_MS = new Setting("CONVNET_HTTP_BODY_TIMEOUT_MS",
      "30000", "a request body that stalls (no bytes) this long gets 408 and its connection is closed");
  /** Seconds a client should wait before sending a body that did not fit: uploads in flight end in seconds. */
  static final String RETRY_AFTER_SECONDS = "2";
  /** After an answer sent before the body was read: how long to drain what the client still sends before closing. */
  private static final long LINGER_MS = 2_000;

  private final Vertx vertx;
  private final long maxBodyBytes;
  private final BodyBudget budget;
  private final long bodyTimeoutMs;
  private final Counter refusedTooLarge;
  private final Counter refusedBusy;
  private final Counter stalled;

  UploadGate(Vertx vertx, long maxBodyBytes, BodyBudget budget, long bodyTimeoutMs, MeterRegistry registry) {
    if (budget.limit() < maxBodyBytes) {
      throw new IllegalArgumentException(MAX_INFLIGHT_BODY_BYTES.name() + " (" + budget.limit() + ") must be at least "
          + "the largest request body (" + maxBodyBytes + " bytes)");
    }
    this.vertx = vertx;
    this.maxBodyBytes = maxBodyBytes;
    this.budget = budget;
    this.bodyTimeoutMs = bodyTimeoutMs;
    this.refusedTooLarge = refused(registry, "too_large");
    this.refusedBusy = refused(registry, "busy");
    this.stalled = refused(registry, "stalled");
  }

  private static Counter refused(MeterRegistry registry, String reason) {
    return Counter.builder("convnet_request_bodies_refused").tag("reason", reason)
        .description("request bodies refused before or while they were sent").register(registry);
  }

  /**
   * From the settings; {@code maxBodyBytes} is the largest body any route takes. The bytes held
   * and the bound are gauges ({@code convnet_request_body_bytes_held}, {@code _limit}), refusals
   * a counter ({@code convnet_request_bodies_refused_total{reason}}).
   */
  public static UploadGate of(Vertx vertx, KitConfig config, MeterRegistry registry, long maxBodyBytes) {
    String setting = config.get(MAX_INFLIGHT_BODY_BYTES);
    long bytes = setting.equals(MAX_INFLIGHT_BODY_BYTES.defaultValue())
        ? Math.max(Runtime.getRuntime().maxMemory() / 4, 2 * maxBodyBytes) : config.getLong(MAX_INFLIGHT_BODY_BYTES);
    BodyBudget budget = new BodyBudget(bytes);
    Gauge.builder("convnet_request_body_bytes_held", budget, BodyBudget::held)
        .description("request body bytes admitted and not yet given back").register(registry);
    Gauge.builder("convnet_request_body_bytes_limit", budget, BodyBudget::limit)
        .description(MAX_INFLIGHT_BODY_BYTES.name()).register(registry);
    return new UploadGate(vertx, maxBodyBytes, budget, config.getInt(BODY_TIMEOUT_MS), registry);
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    ctx.addHeadersEndHandler(v -> closeIfUnread(ctx));
    String length = request.getHeader("content-length");
    long announced;
    try {
      announced = length == null ? -1 : Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      refuse(ctx, ErrorCode.INVALID_ARGUMENT, "bad Content-Length");
      return;
    }
    if (!hasBody(request) || request.isEnded()) {
      ctx.next();
      return;
    }
    if (announced > maxBodyBytes) {
      refusedTooLarge.increment();
      refuse(ctx, ErrorCode.PAYLOAD_TOO_LARGE, "request body of " + announced + " bytes is larger than the limit of "
          + maxBodyBytes + " bytes");
      return;
    }
    long bytes = announced > 0 ? announced : maxBodyBytes;
    if (!budget.tryTake(bytes)) {
      refusedBusy.increment();
      ctx.response().putHeader("retry-after", RETRY_AFTER_SECONDS);
      refuse(ctx, ErrorCode.BUSY, "the gateway is receiving as many request bodies as it may hold at once ("
          + MAX_INFLIGHT_BODY_BYTES.name() + "); retry in a moment");
      return;
    }
    ctx.addEndHandler(ended -> budget.giveBack(bytes));
    watchForStall(ctx);
    ctx.next();
  }

  /** A body announced by its length or sent in chunks. */
  private static boolean hasBody(HttpServerRequest request) {
    String length = request.getHeader("content-length");
    return length != null ? !length.trim().equals("0") : request.headers().contains("transfer-encoding");
  }

  private void refuse(RoutingContext ctx, ErrorCode code, String message) {
    HttpErrors.respond(ctx, code, message);
  }

  /**
   * For an answer about to go out before the request's body was read: {@code Connection: close},
   * and the connection closed once the answer is out, after draining for a moment what the client
   * already sent (closing on unread bytes would reset the connection and could lose the answer).
   */
  private static void closeIfUnread(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (!hasBody(request) || request.isEnded() || "close".equals(ctx.response().headers().get("connection"))) {
      return;
    }
    ctx.response().putHeader("connection", "close");
    HttpConnection connection = request.connection();
    ctx.addEndHandler(ended -> {
      if (request.isEnded()) {
        return;  // the body came in after all; the client closes as told
      }
      long timer = ctx.vertx().setTimer(LINGER_MS, t -> connection.close());
      request.handler(discarded -> { });
      request.endHandler(v -> {
        ctx.vertx().cancelTimer(timer);
        connection.close();
      });
      request.resume();
    });
  }

  /** A body with no new bytes for the body timeout: 408 and the connection closed. */
  private void watchForStall(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    long[] seen = {request.bytesRead()};
    long[] timer = new long[1];
    Handler<Long> check = new Handler<>() {
      @Override
      public void handle(Long id) {
        if (request.isEnded() || ctx.response().ended()) {
          return;
        }
        long read = request.bytesRead();
        if (read > seen[0]) {
          seen[0] = read;
          timer[0] = vertx.setTimer(bodyTimeoutMs, this);
          return;
        }
        stalled.increment();
        HttpConnection connection = request.connection();
        if (ctx.response().headWritten()) {
          connection.close();
          return;
        }
        JsonObject body = HttpErrors.body(ErrorCode.DEADLINE_EXCEEDED, "no request body bytes arrived for "
            + bodyTimeoutMs + " ms (" + BODY_TIMEOUT_MS.name() + ")");
        body.getJsonObject("error").put("status", 408);
        ctx.response().setStatusCode(408).putHeader("content-type", "application/json").putHeader("connection", "close")
            .end(body.encode()).onComplete(ar -> connection.close());
      }
    };
    timer[0] = vertx.setTimer(bodyTimeoutMs, check);
    ctx.addEndHandler(ended -> vertx.cancelTimer(timer[0]));
  }
}
