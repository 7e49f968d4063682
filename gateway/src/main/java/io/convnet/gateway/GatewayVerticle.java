package io.convnet.gateway;

import io.convnet.gateway.training.TrainingJobsVerticle;
import io.convnet.gateway.serving.ServingRoutes;
import io.convnet.gateway.visualize.VisualizeRoutes;
import io.convnet.kit.config.Settings;
import io.convnet.kit.launch.ServiceKit;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.web.Router;

/** Mounts the gateway's API and its web page on the service router. */
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

    ServingRoutes.mount(kit);
    VisualizeRoutes.mount(router, kit);
    WebUi.mount(router);

    // /v1/training-jobs...: the job registry (read from the events topic) and its routes.
    return vertx.deployVerticle(new TrainingJobsVerticle(kit)).mapEmpty();
  }
}
