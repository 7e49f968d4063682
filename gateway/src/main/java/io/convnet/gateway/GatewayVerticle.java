package io.convnet.gateway;

import io.convnet.gateway.access.Access;
import io.convnet.gateway.access.AccessSettings;
import io.convnet.gateway.access.AuditLog;
import io.convnet.gateway.access.AuditRoutes;
import io.convnet.gateway.access.AuditTrail;
import io.convnet.gateway.http.RouteGroup;
import io.convnet.gateway.serving.ServingRoutes;
import io.convnet.gateway.training.TrainingJobsVerticle;
import io.convnet.gateway.visualize.VisualizeRoutes;
import io.convnet.kit.config.KitConfig;
import io.convnet.kit.config.Settings;
import io.convnet.kit.launch.ServiceKit;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.web.Router;
import java.util.List;

/**
 * Mounts the gateway's route groups (its API and its web page) on the service router, each route
 * with the access rule it declared, and keeps the audit log that the rules write.
 */
public final class GatewayVerticle extends VerticleBase {
  private final ServiceKit kit;
  private final AuditTrail auditTrail = new AuditTrail();
  private Access access;

  public GatewayVerticle(ServiceKit kit) {
    this.kit = kit;
  }

  @Override
  public Future<?> start() {
    KitConfig config = kit.config();
    int maxImageBytes = config.getInt(Settings.MAX_IMAGE_BYTES);
    access = Access.fromConfig(vertx, config, kit.registry(),
        new AuditLog(kit.producer(), kit.instanceId(), auditTrail));
    auditTrail.start(context, kit.clients());
    // The job list behind /v1/training-jobs is read from the events topic by a verticle of its own.
    TrainingJobsVerticle trainingJobs = new TrainingJobsVerticle(kit);
    List<RouteGroup> groups = List.of(
        new ClusterRoute(kit.requester(), config.millis(Settings.STATUS_WINDOW_MS)),
        new ServingRoutes(kit.requester(), kit.health(), kit.version(), maxImageBytes,
            config.getInt(Settings.MAX_MESSAGE_BYTES)),
        new VisualizeRoutes(kit.requester(), config.millis(VisualizeRoutes.TIMEOUT_MS), maxImageBytes),
        trainingJobs.routes(),
        new AuditRoutes(auditTrail)::mount,
        new WebUi());
    Router router = kit.router();
    int kitRoutes = router.getRoutes().size();  // health and metrics: the kit's, open
    groups.forEach(group -> group.mount(router, access));
    Access.checkDeclared(router.getRoutes().subList(kitRoutes, router.getRoutes().size()));
    return access.start(config.getInt(AccessSettings.RELOAD_MS))
        .compose(v -> vertx.deployVerticle(trainingJobs)).mapEmpty();
  }

  @Override
  public Future<?> stop() {
    if (access != null) {
      access.close();
    }
    return auditTrail.close();
  }
}
