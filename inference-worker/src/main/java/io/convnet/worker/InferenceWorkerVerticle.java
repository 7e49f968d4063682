package io.convnet.worker;

import io.convnet.kit.launch.ServiceKit;
import io.convnet.proto.Exchanges;
import io.convnet.proto.ModelsReply;
import io.convnet.proto.ModelsRequest;
import io.convnet.worker.config.WorkerConfig;
import io.convnet.worker.metrics.InferenceMetrics;
import io.convnet.worker.model.ModelEvents;
import io.convnet.worker.model.TrainingWatch;
import io.convnet.worker.model.WorkerModels;
import io.convnet.worker.score.ScoreLoop;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The inference worker: Kafka adapters on the serving runtime ({@link WorkerModels}: the newest version
 * of every model in the store, hot reload from the models topic, dynamic batching per model version),
 * the classify and models exchanges, and exactly-once batch scoring from the score-requests topic.
 */
public final class InferenceWorkerVerticle extends VerticleBase {
  private final ServiceKit kit;
  private WorkerConfig config;
  private WorkerModels models;
  private ModelEvents events;
  private ExecutorService decodePool;
  private ScoreLoop scoring;

  public InferenceWorkerVerticle(ServiceKit kit) {
    this.kit = kit;
  }

  @Override
  public Future<?> start() {
    config = WorkerConfig.of(kit.config());
    InferenceMetrics metrics = new InferenceMetrics(kit.registry());
    TrainingWatch training = new TrainingWatch();
    models = new WorkerModels(config, metrics, training, this::publishStatus);
    decodePool = decodePool(config.decodeThreads());
    ClassifyHandler classify = new ClassifyHandler(models, decodePool, metrics, config.instanceId(),
        config.maxImagesPerRequest());

    kit.statusDetails().put("models", "loading");
    kit.health().register("models", () -> {
      String reason = models.notReadyReason();
      return reason == null ? Future.succeededFuture() : Future.failedFuture(reason);
    });
    Gauge.builder("convnet.inference.models.loaded", models, r -> r.servedVersions().size())
        .description("models served").register(kit.registry());
    models.start();
    events = new ModelEvents(context, kit.clients(), models, training);
    events.start();

    Future<Void> serving = kit.responder().serve(Exchanges.CLASSIFY, classify::classify)
        .compose(v -> kit.responder().serve(Exchanges.MODELS, this::describe));
    if (!config.scoreEnabled()) {
      return serving;
    }
    return serving.compose(v -> kit.vertx().executeBlocking(() -> {
      scoring = new ScoreLoop(context, kit, config, models, decodePool, metrics);
      scoring.start();
      return null;
    }));
  }

  private Future<ModelsReply> describe(ModelsRequest request) {
    return kit.vertx().executeBlocking(() -> models.describe(request.getName(), request.getVersion()), false);
  }

  private void publishStatus() {
    kit.statusDetails().put("models", models.status());
  }

  private static ExecutorService decodePool(int threads) {
    AtomicInteger n = new AtomicInteger();
    return new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, "convnet-decode-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public Future<?> stop() {
    return Future.join(scoring == null ? Future.succeededFuture() : scoring.close(),
        events == null ? Future.succeededFuture() : events.close()).transform(v -> kit.vertx().executeBlocking(() -> {
      if (models != null) {
        models.close();
      }
      if (decodePool != null) {
        decodePool.shutdown();
      }
      return null;
    }));
  }
}
