package io.convnet.gateway;

import io.convnet.gateway.access.Access;
import io.convnet.gateway.http.RouteGroup;
import io.convnet.kit.http.HttpErrors;
import io.convnet.kit.kafka.KafkaRequester;
import io.convnet.proto.Exchanges;
import io.convnet.proto.StatusPing;
import io.convnet.proto.StatusPong;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;

/** {@code GET /v1/cluster}: pings every instance of every service and lists those that answered. */
final class ClusterRoute implements RouteGroup {
  private final KafkaRequester requester;
  private final Duration window;

  ClusterRoute(KafkaRequester requester, Duration window) {
    this.requester = requester;
    this.window = window;
  }

  @Override
  public void mount(Router router, Access access) {
    access.read(router.get("/v1/cluster")).handler(this::handle);
  }

  private void handle(RoutingContext ctx) {
    StatusPing ping = StatusPing.newBuilder().setSentMs(System.currentTimeMillis()).build();
    requester.gather(Exchanges.STATUS, ping, window).onComplete(ar -> {
      if (ar.failed()) {
        HttpErrors.respond(ctx, ar.cause());
        return;
      }
      List<StatusPong> pongs = ar.result().stream()
          .sorted(Comparator.comparing(StatusPong::getService).thenComparing(StatusPong::getInstanceId))
          .toList();
      JsonArray instances = new JsonArray();
      pongs.forEach(p -> instances.add(toJson(p)));
      ctx.response().putHeader("content-type", "application/json")
          .end(new JsonObject().put("count", pongs.size()).put("instances", instances).encode());
    });
  }

  private static JsonObject toJson(StatusPong p) {
    return new JsonObject()
        .put("service", p.getService())
        .put("instanceId", p.getInstanceId())
        .put("version", p.getVersion())
        .put("host", p.getHost())
        .put("startedMs", p.getStartedMs())
        .put("uptimeMs", p.getUptimeMs())
        .put("ready", p.getReady())
        .put("details", new JsonObject(new java.util.TreeMap<String, Object>(p.getDetailsMap())));
  }
}
