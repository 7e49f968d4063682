package io.convnet.gateway;

import io.convnet.kit.config.Settings;
import io.convnet.kit.launch.ServiceKit;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

/** Mounts the gateway's API on the service router. */
public final class GatewayVerticle extends VerticleBase {
  private final ServiceKit kit;

  public GatewayVerticle(ServiceKit kit) {
    this.kit = kit;
  }

  @Override
  public Future<?> start() {
    Router router = kit.router();
    ClusterRoute cluster = new ClusterRoute(kit.requester(), kit.config().millis(Settings.STATUS_WINDOW_MS));
    router.get("/v1/cluster").handler(cluster::handle);

    ClassifyRoute classify = new ClassifyRoute(kit.requester());
    // No file uploads on disk (notes pitfall 7); bodies beyond the inline image limit get 413.
    router.post("/v1/models/:model/classify")
        .handler(BodyHandler.create(false).setBodyLimit(kit.config().getInt(Settings.MAX_IMAGE_BYTES)))
        .handler(classify::handle);
    io.convnet.gateway.visualize.VisualizeRoutes.mount(router, kit);
    return Future.succeededFuture();
  }
}
