package io.convnet.gateway;

import io.convnet.gateway.grpc.GrpcEndpoint;
import io.convnet.gateway.http.RouteGroup;
import io.convnet.gateway.openinference.OpenInferenceApi;
import io.convnet.gateway.serving.RequestImages;
import io.convnet.gateway.serving.ServingLimits;
import io.convnet.gateway.serving.ServingRoutes;
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
import java.time.Duration;
import java.util.List;

/**
 * Mounts the gateway's route groups (its API and its web page) on the service router, and serves
 * the standard protocols' gRPC services on their own port ({@link GrpcEndpoint#PORT}).
 */
public final class GatewayVerticle extends VerticleBase {
  /** How long readiness probes wait for a worker's answer. */
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

  private final ServiceKit kit;

  public GatewayVerticle(ServiceKit kit) {
    this.kit = kit;
  }

  @Override
  public Future<?> start() {
    KitConfig config = kit.config();
    int maxImageBytes = config.getInt(Settings.MAX_IMAGE_BYTES);
    ServingLimits limits = ServingLimits.of(maxImageBytes, config.getInt(Settings.MAX_MESSAGE_BYTES));
    Workers workers = new Workers(kit.requester(), config.millis(Settings.REQUEST_TIMEOUT_MS), PROBE_TIMEOUT);
    RequestImages images = new RequestImages(maxImageBytes);
    ServingRoutes own = new ServingRoutes(workers, images, limits);
    TfServingApi tfServing = new TfServingApi(workers, images, new VersionLabels());
    OpenInferenceApi openInference = new OpenInferenceApi(workers, images, kit.health(), kit.version());
    // The job list behind /v1/training-jobs is read from the events topic by a verticle of its own.
    TrainingJobsVerticle trainingJobs = new TrainingJobsVerticle(kit);
    List<RouteGroup> groups = List.of(
        new ClusterRoute(kit.requester(), config.millis(Settings.STATUS_WINDOW_MS)),
        own,
        tfServing.routes(own.classify(), limits),
        openInference.routes(limits),
        new VisualizeRoutes(kit.requester(), config.millis(VisualizeRoutes.TIMEOUT_MS), maxImageBytes),
        trainingJobs.routes(),
        new WebUi());
    groups.forEach(group -> group.mount(kit.router()));
    return GrpcEndpoint.start(vertx, config.get(Settings.HTTP_HOST), GrpcEndpoint.port(config),
            limits.maxBodyBytes(), List.of(tfServing.grpc(), openInference.grpc()))
        .onSuccess(server -> kit.statusDetails().put("grpcPort", Integer.toString(server.actualPort())))
        .compose(server -> vertx.deployVerticle(trainingJobs)).mapEmpty();
  }
}
