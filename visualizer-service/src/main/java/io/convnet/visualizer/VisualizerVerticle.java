package io.convnet.visualizer;

import io.convnet.bundle.BundleStore;
import io.convnet.kit.ServiceException;
import io.convnet.kit.config.KitConfig;
import io.convnet.kit.launch.ServiceKit;
import io.convnet.lifecycle.LifecycleStore;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.Exchanges;
import io.convnet.proto.VisualizeReply;
import io.convnet.proto.VisualizeRequest;
import io.convnet.serving.cache.CacheOptions;
import io.convnet.serving.cache.ModelCache;
import io.convnet.serving.cache.LabelPolicy;
import io.convnet.serving.image.ImageLimits;
import io.convnet.serving.image.RequestImages;
import io.convnet.viz.VisualModel;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * Answers visualize requests: synchronous kinds on a small worker pool (TensorFlow never runs on the
 * event loop), activation maximization as jobs ({@link AscentJobs}). Models load on demand from the
 * store into the serving runtime's {@link ModelCache}; a request without a version gets the model's
 * stable version, the store's labels read again at most every {@link #LABELS_REREAD}.
 */
public final class VisualizerVerticle extends VerticleBase {
  /** How old the labels a request goes by may be: a moved label reaches the visualizer within this. */
  static final Duration LABELS_REREAD = Duration.ofSeconds(1);
  private final ServiceKit kit;
  private ModelCache<VisualVersion> models;
  private SyncVisualizations sync;
  private Explorations explorations;
  private AscentJobs jobs;
  private WorkerExecutor workers;

  public VisualizerVerticle(ServiceKit kit) {
    this.kit = kit;
  }

  @Override
  public Future<?> start() {
    KitConfig c = kit.config();
    String validation = c.get(VisualizerSettings.VALIDATION_DIR);
    VisualVersion.NaturalMaximaSource natural = new VisualVersion.NaturalMaximaSource(
        Path.of(c.get(VisualizerSettings.CACHE_DIR)), c.dataRoot(), validation.isEmpty() ? null : Path.of(validation),
        c.getInt(VisualizerSettings.NATURAL_MAX_PER_CLASS));
    BundleStore store = new BundleStore(c.modelStore());
    models = new ModelCache<>(store,
        (dir, name, version) -> new VisualVersion(name, version, VisualModel.load(dir), natural),
        new LabelPolicy(new LifecycleStore(store), LABELS_REREAD),
        CacheOptions.onDemand(c.getInt(VisualizerSettings.MAX_MODELS), kit.instanceId()));
    models.start();
    RequestImages images = new RequestImages(c.dataRoot(), c.uploadDir(), ImageLimits.DEFAULT);
    sync = new SyncVisualizations(models, images);
    explorations = new Explorations(models, images);
    jobs = new AscentJobs(models, c.getInt(VisualizerSettings.MAX_JOBS), c.getInt(VisualizerSettings.MAX_QUEUED),
        c.getInt(VisualizerSettings.RESULT_CACHE), c.getInt(VisualizerSettings.BATCH));
    workers = kit.vertx().createSharedWorkerExecutor("visualizer-sync", c.getInt(VisualizerSettings.SYNC_THREADS));
    kit.statusDetails().put("models", "none loaded");
    kit.statusDetails().put("jobs", jobs.summary());
    return kit.responder().serve(Exchanges.VISUALIZE, this::visualize);
  }

  private Future<VisualizeReply> visualize(VisualizeRequest r) {
    Future<VisualizeReply> reply = switch (r.getKindCase()) {
      case FEATURE_MAPS -> blocking(() -> sync.featureMaps(r));
      case SALIENCY -> blocking(() -> sync.saliency(r));
      case GRAD_CAM -> blocking(() -> sync.gradCam(r));
      case CONVOLUTION -> blocking(() -> sync.convolution(r));
      case LOSS -> blocking(() -> sync.loss(r));
      case EXPLORE -> blocking(() -> explorations.explore(r));
      case LAYER_WEIGHTS -> blocking(() -> explorations.weights(r));
      case FILTERS, CLASS_OUTPUT -> blocking(() -> jobs.start(r));
      case JOB -> call(() -> jobs.query(r));
      case KIND_NOT_SET -> Future.failedFuture(new ServiceException(ErrorCode.INVALID_ARGUMENT,
          "say what to visualize: feature_maps, filters, class_output, saliency, grad_cam, convolution, loss, "
              + "explore, layer_weights or job"));
    };
    return reply.andThen(ar -> {
      kit.statusDetails().put("models", String.join(", ", models.loaded()));
      kit.statusDetails().put("jobs", jobs.summary());
    });
  }

  private Future<VisualizeReply> blocking(Callable<VisualizeReply> work) {
    return workers.executeBlocking(work, false).recover(t -> Future.failedFuture(Failures.of(t)));
  }

  private static Future<VisualizeReply> call(Callable<VisualizeReply> work) {
    try {
      return Future.succeededFuture(work.call());
    } catch (Exception e) {
      return Future.failedFuture(Failures.of(e));
    }
  }

  @Override
  public Future<?> stop() {
    if (jobs != null) {
      jobs.close();
    }
    if (workers != null) {
      workers.close();
    }
    if (models != null) {
      models.close();
    }
    return Future.succeededFuture();
  }
}
