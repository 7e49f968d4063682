package io.convnet.worker;

import io.convnet.kit.launch.ServiceKit;
import io.convnet.proto.Exchanges;
import io.convnet.proto.ModelTraffic;
import io.convnet.proto.ModelTrafficReply;
import io.convnet.proto.ModelsReply;
import io.convnet.proto.ModelsRequest;
import io.convnet.worker.config.WorkerConfig;
import io.convnet.worker.metrics.InferenceMetrics;
import io.convnet.worker.model.CanaryShadow;
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
 * The inference worker: Kafka adapters on the serving runtime ({@link WorkerModels}: the stable version
 * of every model in the store and its canary, hot reload from the models topic, dynamic batching per
 * model version), the classify, models and model-traffic exchanges, and exactly-once batch scoring from
 * the score-requests topic.
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
    CanaryShadow shadow = new CanaryShadow(models, decodePool);
    ClassifyHandler classify = new ClassifyHandler(models, decodePool, metrics, shadow, config.instanceId(),
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
        .compose(v -> kit.responder().serve(Exchanges.MODELS, this::describe))
        .compose(v -> kit.responder().serve(Exchanges.MODEL_TRAFFIC, request -> Future.succeededFuture(
            traffic(metrics, request.getName()))));
    if (!config.scoreEnabled()) {
      return serving;
    }
    return serving.compose(v -> kit.vertx().executeBlocking(() -> {
      scoring = new ScoreLoop(context, kit, config, models, decodePool, metrics, shadow);
      scoring.start();
      return null;
    }));
  }

  private Future<ModelsReply> describe(ModelsRequest request) {
    return kit.vertx().executeBlocking(() -> models.describe(request), false);
  }

  /** What each version of {@code name} (every model when empty) served here: canary figures, added up by the gateway. */
  private ModelTrafficReply traffic(InferenceMetrics metrics, String name) {
    ModelTrafficReply.Builder reply = ModelTrafficReply.newBuilder().setWorker(config.instanceId());
    for (String model : name.isEmpty() ? metrics.models() : java.util.List.of(name)) {
      reply.addModels(ModelTraffic.newBuilder().setName(model).addAllVersions(metrics.traffic(model)));
    }
    return reply.build();
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
