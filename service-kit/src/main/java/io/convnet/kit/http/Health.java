package io.convnet.kit.http;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code /health/live} (the process answers) and {@code /health/ready} (every registered
 * check passes: Kafka reachable, topics present, reply partitions owned, and whatever a
 * service adds, such as "a model is loaded"). A check is a future that fails with the reason.
 */
public final class Health {
  private final Map<String, Supplier<Future<Void>>> checks = new LinkedHashMap<>();
  private volatile boolean stopping;
  private volatile boolean lastUp;

  public synchronized void register(String name, Supplier<Future<Void>> check) {
    checks.put(name, check);
  }

  /** From now on not ready: the service is shutting down. */
  public void stopping() {
    stopping = true;
  }

  /** {"status": "UP"|"DOWN", "checks": {"kafka": "UP", "replies": "DOWN: ..."}} */
  public Future<JsonObject> evaluate() {
    List<String> names;
    List<Future<Void>> results = new ArrayList<>();
    synchronized (this) {
      names = new ArrayList<>(checks.keySet());
      for (Supplier<Future<Void>> check : checks.values()) {
        Future<Void> f;
        try {
          f = check.get();
        } catch (RuntimeException e) {
          f = Future.failedFuture(e);
        }
        results.add(f);
      }
    }
    return Future.join(results).transform(ignored -> {
      JsonObject detail = new JsonObject();
      boolean up = !stopping;
      if (stopping) {
        detail.put("shutdown", "DOWN: shutting down");
      }
      for (int i = 0; i < names.size(); i++) {
        Future<Void> f = results.get(i);
        up &= f.succeeded();
        detail.put(names.get(i), f.succeeded() ? "UP" : "DOWN: " + f.cause().getMessage());
      }
      lastUp = up;
      return Future.succeededFuture(new JsonObject().put("status", up ? "UP" : "DOWN").put("checks", detail));
    });
  }

  /**
   * {@code convnet_ready}: 1 while the last evaluation was UP. Alerts use it ("no ready
   * worker") where no Kubernetes readiness state is scraped, e.g. a Prometheus beside run.sh;
   * the caller evaluates periodically so it follows without probes.
   */
  public void publish(MeterRegistry registry) {
    Gauge.builder("convnet.ready", this, h -> h.lastUp ? 1 : 0)
        .description("1 when the instance's readiness checks (GET /health/ready) last passed, else 0")
        .register(registry);
  }

  public void mount(Router router) {
    router.get("/health/live").handler(ctx -> ctx.response()
        .putHeader("content-type", "application/json").end(new JsonObject().put("status", "UP").encode()));
    router.get("/health/ready").handler(ctx -> evaluate().onComplete(ar -> {
      JsonObject body = ar.succeeded() ? ar.result()
          : new JsonObject().put("status", "DOWN").put("checks", new JsonObject().put("health", ar.cause().toString()));
      ctx.response().setStatusCode("UP".equals(body.getString("status")) ? 200 : 503)
          .putHeader("content-type", "application/json").end(body.encode());
    }));
  }
}
