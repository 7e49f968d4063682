package io.convnet.gateway;

import io.convnet.gateway.access.Access;
import io.convnet.gateway.access.AccessSettings;
import io.convnet.gateway.access.AuditLog;
import io.convnet.gateway.access.AuditRoutes;
import io.convnet.gateway.access.AuditTrail;
import io.convnet.gateway.grpc.GrpcEndpoint;
import io.convnet.gateway.http.RouteGroup;
import io.convnet.gateway.http.UploadGate;
import io.convnet.gateway.openinference.OpenInferenceApi;
import io.convnet.gateway.serving.ModelDetails;
import io.convnet.gateway.serving.RequestImages;
import io.convnet.gateway.serving.ServingLimits;
import io.convnet.gateway.serving.ServingRoutes;
import io.convnet.gateway.serving.StagedUploads;
import io.convnet.gateway.serving.VersionLabels;
import io.convnet.gateway.serving.Workers;
import io.convnet.gateway.tfserving.TfServingApi;
import io.convnet.gateway.training.TrainingJobsVerticle;
import io.convnet.gateway.visualize.VisualizeRoutes;
import io.convnet.kit.config.KitConfig;
import io.convnet.kit.config.Settings;
import io.convnet.kit.launch.ServiceKit;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.util.List;

/**
 * Mounts the gateway's route groups (its API and its web page) on the service router, each route
 * with the access rule it declared, keeps the audit log that the rules write, and serves the
 * standard protocols' gRPC services on their own port ({@link GrpcEndpoint#PORT}) under the same
 * rules.
 */
public final class GatewayVerticle extends VerticleBase {
  /** How long readiness probes wait for a worker's answer. */
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

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
    ServingLimits limits = ServingLimits.of(maxImageBytes, config.getInt(Settings.MAX_MESSAGE_BYTES));
    // Before any route reads a body (or asks for a token): what bodies may cost, over all routes at once.
    kit.router().route().order(Integer.MIN_VALUE + 1)
        .handler(UploadGate.of(vertx, config, kit.registry(), limits.maxBodyBytes()));
    access = Access.fromConfig(vertx, config, kit.registry(),
        new AuditLog(kit.producer(), kit.instanceId(), auditTrail));
    auditTrail.start(context, kit.clients());
    StagedUploads uploads = StagedUploads.of(vertx, config, kit.registry());
    Workers workers = new Workers(kit.requester(), uploads, config.millis(Settings.REQUEST_TIMEOUT_MS), PROBE_TIMEOUT);
    RequestImages images = new RequestImages(maxImageBytes, config.getInt(Settings.MAX_IMAGES_PER_REQUEST));
    VersionLabels labels = new VersionLabels(workers);
    ModelDetails details = new ModelDetails(workers, config.millis(Settings.STATUS_WINDOW_MS));
    ServingRoutes own = new ServingRoutes(workers, images, limits, labels, details, kit.requester());
    TfServingApi tfServing = new TfServingApi(workers, images, labels, details);
    OpenInferenceApi openInference = new OpenInferenceApi(workers, images, kit.health(), kit.version());
    // The job list behind /v1/training-jobs is read from the events topic by a verticle of its own.
    TrainingJobsVerticle trainingJobs = new TrainingJobsVerticle(kit);
    List<RouteGroup> groups = List.of(
        new ClusterRoute(kit.requester(), config.millis(Settings.STATUS_WINDOW_MS)),
        own,
        tfServing.routes(own.classify(), limits),
        openInference.routes(limits),
        new VisualizeRoutes(kit.requester(), uploads, config.millis(VisualizeRoutes.TIMEOUT_MS), maxImageBytes),
        trainingJobs.routes(),
        new AuditRoutes(auditTrail)::mount,
        new WebUi());
    Router router = kit.router();
    int kitRoutes = router.getRoutes().size();  // health and metrics: the kit's, open
    groups.forEach(group -> group.mount(router, access));
    Access.checkDeclared(router.getRoutes().subList(kitRoutes, router.getRoutes().size()));
    return uploads.start().compose(v -> access.start(config.getInt(AccessSettings.RELOAD_MS)))
        .compose(v -> GrpcEndpoint.start(vertx, config.get(Settings.HTTP_HOST), GrpcEndpoint.port(config),
            limits.maxBodyBytes(), access, List.of(tfServing.grpc(), openInference.grpc())))
        .onSuccess(server -> kit.statusDetails().put("grpcPort", Integer.toString(server.actualPort())))
        .compose(server -> vertx.deployVerticle(trainingJobs)).mapEmpty();
  }

  @Override
  public Future<?> stop() {
    if (access != null) {
      access.close();
    }
    return auditTrail.close();
  }
}
