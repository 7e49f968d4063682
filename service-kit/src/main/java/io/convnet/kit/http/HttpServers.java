package io.convnet.kit.http;

import io.convnet.kit.config.KitConfig;
import io.convnet.kit.config.Settings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server of every service, with the timeouts that keep idle and slow clients from holding
 * connections: a new connection must deliver its first request's headers within
 * {@code CONVNET_HTTP_HEADER_TIMEOUT_MS} (a slow-header client, or one that connects and says
 * nothing, is closed); between requests a keep-alive connection may wait up to
 * {@code CONVNET_HTTP_IDLE_TIMEOUT_MS} for the next request's headers to be complete, and a
 * connection with no bytes either way that long is closed. The keep-alive wait is the longer one:
 * a server closing an idle connection races the client reusing it (a POST then fails), so it
 * should happen rarely, not every few seconds. Vert.x's limits on the request line (4 KiB) and
 * headers (8 KiB) stay. A request body is the route's business (the gateway bounds and times them).
 */
public final class HttpServers {
  private static final Logger LOG = LoggerFactory.getLogger(HttpServers.class);

  private HttpServers() {
  }

  /** Listens on the configured host and port with {@code router} as the request handler. */
  public static Future<HttpServer> listen(Vertx vertx, KitConfig config, Router router) {
    // HTTP/1.1 only. With cleartext HTTP/2 (h2c) on, Vert.x makes the connection only once a first
    // request's head is in, so a client that never finishes one would never be timed; browsers speak
    // HTTP/2 only over TLS, which an ingress terminates.
    HttpServerOptions options = new HttpServerOptions().setHost(config.httpHost()).setPort(config.httpPort())
        .setHttp2ClearTextEnabled(false)
        .setIdleTimeout(config.getInt(Settings.HTTP_IDLE_TIMEOUT_MS)).setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
    HeaderTimeout headers = new HeaderTimeout(vertx, config.getInt(Settings.HTTP_HEADER_TIMEOUT_MS),
        config.getInt(Settings.HTTP_IDLE_TIMEOUT_MS));
    // first of all routes: when an exchange ends, the connection's wait for the next request's headers begins
    router.route().order(Integer.MIN_VALUE).handler(ctx -> {
      HttpConnection connection = ctx.request().connection();
      ctx.addEndHandler(ended -> headers.exchangeEnded(connection));
      ctx.next();
    });
    return vertx.createHttpServer(options)
        .connectionHandler(headers::opened)
        .requestHandler(request -> {
          headers.requestArrived(request.connection());
          router.handle(request);
        })
        .listen();
  }

  /** Per connection, a timer that runs while the server waits for a request's headers. */
  private static final class HeaderTimeout {
    private final Vertx vertx;
    private final long firstMs;
    private final long nextMs;
    private final Map<HttpConnection, Long> timers = new ConcurrentHashMap<>();
    private final Set<HttpConnection> open = ConcurrentHashMap.newKeySet();

    /** {@code firstMs} for a new connection's first request, {@code nextMs} for each one after. */
    HeaderTimeout(Vertx vertx, long firstMs, long nextMs) {
      this.vertx = vertx;
      this.firstMs = firstMs;
      this.nextMs = nextMs;
    }

    void opened(HttpConnection connection) {
      open.add(connection);
      connection.closeHandler(v -> {
        open.remove(connection);
        cancel(connection);
      });
      arm(connection, firstMs);
    }

    void requestArrived(HttpConnection connection) {
      cancel(connection);
    }

    void exchangeEnded(HttpConnection connection) {
      if (open.contains(connection)) {
        arm(connection, nextMs);
      }
    }

    private void arm(HttpConnection connection, long timeoutMs) {
      cancel(connection);
      long id = vertx.setTimer(timeoutMs, t -> {
        if (timers.remove(connection, t)) {
          LOG.debug("closing {}: no complete request headers within {} ms", connection.remoteAddress(), timeoutMs);
          connection.close();
        }
      });
      timers.put(connection, id);
    }

    private void cancel(HttpConnection connection) {
      Long id = timers.remove(connection);
      if (id != null) {
        vertx.cancelTimer(id);
      }
    }
  }
}
