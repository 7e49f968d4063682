package io.convnet.trainer;

import io.convnet.kit.config.KitConfig;
import io.convnet.kit.config.Settings;
import io.convnet.kit.launch.ServiceKit;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * The trainer: reads the cancel requests, then takes training jobs one at a time and streams
 * their events. Ready once Kafka and the topics are (the kit's checks), every cancel sent so
 * far is known and the jobs consumer runs; there is no model to load.
 */
public final class TrainerVerticle extends VerticleBase {
  private final ServiceKit kit;
  private KafkaProducer<String, byte[]> producer;
  private CancelRequests cancels;
  private JobLoop jobs;

  public TrainerVerticle(ServiceKit kit) {
    this.kit = kit;
  }

  @Override
  public Future<?> start() {
    KitConfig config = kit.config();
    kit.statusDetails().put("jobs", "none");
    // Its own producer: the kit's closes before this verticle stops, and a job let go at
    // shutdown still says so.
    producer = kit.clients().producer("train-events", Map.of());
    TrainEvents events = new TrainEvents(producer, kit.instanceId(), new TrainingMetrics(kit.registry())::record);
    cancels = new CancelRequests(context, kit.clients());
    FinishedJobs finished = new FinishedJobs(config.modelStore());
    finished.removeOlderThan(Duration.ofDays(30));
    TrainerEnvironment env = new TrainerEnvironment(kit.instanceId(), events, cancels, finished,
        config.modelStore(), config.dataRoot(), config.getInt(Settings.TRAIN_PROGRESS_INTERVAL_MS),
        status -> kit.statusDetails().put("jobs", status));
    jobs = new JobLoop(context, kit.clients(), env);
    kit.health().register("train-control", cancels::check);
    kit.health().register("train-jobs", jobs::check);
    return cancels.start().compose(v -> jobs.start());
  }

  @Override
  public Future<?> stop() {
    Future<Void> jobsStopped = jobs == null ? Future.succeededFuture() : jobs.close();
    return jobsStopped
        .transform(v -> cancels == null ? Future.succeededFuture() : cancels.close())
        .transform(v -> vertx.executeBlocking(() -> {
          if (producer != null) {
            producer.close(Duration.ofSeconds(5));
          }
          return null;
        }));
  }
}
