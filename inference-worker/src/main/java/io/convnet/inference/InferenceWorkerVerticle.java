package io.convnet.inference;

import io.convnet.inference.batch.InferenceMetrics;
import io.convnet.inference.model.ModelEvents;
import io.convnet.inference.model.ModelRegistry;
import io.convnet.inference.model.TrainingWatch;
import io.convnet.inference.score.ScoreLoop;
import io.convnet.kit.launch.ServiceKit;
import io.convnet.proto.Exchanges;
import io.convnet.proto.ModelsReply;
import io.convnet.proto.ModelsRequest;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * The inference worker: a model registry (newest version of every model in the store, hot
 * reload from the models topic), dynamic batching per model version, the classify and models
 * exchanges, and exactly-once batch scoring from the score-requests topic.
 */
public final class InferenceWorkerVerticle extends VerticleBase {
  private final ServiceKit kit;
  private WorkerConfig config;
  private ModelRegistry registry;
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
    registry = new ModelRegistry(config, metrics, training, this::publishStatus);
    decodePool = decodePool(config.decodeThreads());
    ImageInputs images = new ImageInputs(config);
    ClassifyHandler classify = new ClassifyHandler(registry, images, decodePool, metrics, config.instanceId());

    kit.statusDetails().put("models", "loading");
    kit.health().register("models", () -> {
      String reason = registry.notReadyReason();
      return reason == null ? Future.succeededFuture() : Future.failedFuture(reason);
    });
    Gauge.builder("convnet.inference.models.loaded", registry, r -> r.servedVersions().size())
        .description("models served").register(kit.registry());
    registry.start();
    events = new ModelEvents(context, kit.clients(), registry, training);
    events.start();

    Future<Void> serving = kit.responder().serve(Exchanges.CLASSIFY, classify::classify)
        .compose(v -> kit.responder().serve(Exchanges.MODELS, this::models));
    if (!config.scoreEnabled()) {
      return serving;
    }
    return serving.compose(v -> kit.vertx().executeBlocking(() -> {
      scoring = new ScoreLoop(context, kit, config, registry, images, decodePool, metrics);
      scoring.start();
      return null;
    }));
  }

  private Future<ModelsReply> models(ModelsRequest request) {
    return kit.vertx().executeBlocking(() -> registry.describe(request.getName(), request.getVersion()), false);
  }

  private void publishStatus() {
    Map<String, Integer> served = registry.servedVersions();
    kit.statusDetails().put("models", served.isEmpty()
        ? "none (model store " + registry.storeRoot() + (registry.knownModels().isEmpty() ? " is empty)" : ")")
        : served.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(", ")));
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
      if (registry != null) {
        registry.close();
      }
      if (decodePool != null) {
        decodePool.shutdown();
      }
      return null;
    }));
  }
}
