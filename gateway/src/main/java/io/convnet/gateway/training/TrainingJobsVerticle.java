package io.convnet.gateway.training;

import io.convnet.gateway.http.RouteGroup;
import io.convnet.kit.config.Settings;
import io.convnet.kit.kafka.TopicFollower;
import io.convnet.kit.launch.ServiceKit;
import io.convnet.proto.Topics;
import io.convnet.proto.TrainControl;
import io.convnet.proto.TrainEvent;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * The gateway's training jobs: the job registry, built by reading the events topic (and the
 * cancel requests) from the beginning, and the routes over it ({@link #routes()}, mounted with
 * the gateway's other route groups). The gateway is not ready, and the routes answer 503, until
 * both topics have been read up to where they stood at start.
 */
public final class TrainingJobsVerticle extends VerticleBase {
  private final ServiceKit kit;
  private final JobRegistry registry = new JobRegistry();
  private final TrainingRoutes routes;
  private volatile TopicFollower<TrainEvent> events;
  private volatile TopicFollower<TrainControl> control;

  public TrainingJobsVerticle(ServiceKit kit) {
    this.kit = kit;
    this.routes = new TrainingRoutes(kit.vertx(), kit.producer(), registry, kit.instanceId(), this::caughtUp,
        kit.config().getInt(Settings.SSE_HEARTBEAT_MS));
  }

  /** {@code /v1/training-jobs...}: answer 503 until this verticle has read the job list. */
  public RouteGroup routes() {
    return routes;
  }

  private boolean caughtUp() {
    TopicFollower<TrainEvent> e = events;
    TopicFollower<TrainControl> c = control;
    return e != null && c != null && e.caughtUp() && c.caughtUp();
  }

  @Override
  public Future<?> start() {
    events = new TopicFollower<>(context, kit.clients(), Topics.TRAIN_EVENTS,
        e -> registry.apply(e.offset(), e.value()));
    control = new TopicFollower<>(context, kit.clients(), Topics.TRAIN_CONTROL, e -> {
      if (e.value().getAction() == TrainControl.Action.CANCEL) {
        registry.cancelRequested(e.value().getJobId());
      }
    });
    Gauge.builder("convnet.training.event.streams", registry, JobRegistry::subscriberCount)
        .description("open server-sent event streams of training jobs").register(kit.registry());
    Gauge.builder("convnet.training.jobs", registry, JobRegistry::size)
        .description("training jobs known to this gateway").register(kit.registry());
    kit.health().register("training-jobs", () -> events.check().compose(v -> control.check()));
    events.start();
    control.start();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    return Future.join(events.close(), control.close());
  }
}
