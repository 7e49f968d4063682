package io.convnet.worker.model;

import io.convnet.bundle.BundleStore;
import io.convnet.kit.ServiceException;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.Image;
import io.convnet.proto.ModelPublished;
import io.convnet.proto.ModelsReply;
import io.convnet.serving.ServingException;
import io.convnet.serving.cache.CacheOptions;
import io.convnet.serving.cache.Lease;
import io.convnet.serving.image.ModelInput;
import io.convnet.serving.cache.ModelCache;
import io.convnet.serving.cache.ServedVersionPolicy;
import io.convnet.serving.classify.ClassifierLoader;
import io.convnet.serving.image.ImageLimits;
import io.convnet.serving.image.RequestImages;
import io.convnet.worker.config.WorkerConfig;
import io.convnet.worker.metrics.InferenceMetrics;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;

/**
 * The serving runtime as this worker uses it: every model of the store served from the start (the
 * newest version, switched to as new ones are announced or found by the periodic store scan), older
 * versions loaded on demand, request images turned into model input, and every failure as the
 * {@link ServiceException} clients get (NOT_READY as {@link ModelNotReadyException}, so score records wait).
 */
public final class WorkerModels implements AutoCloseable {
  private final WorkerConfig config;
  private final ClassifierLoader classifiers;
  private final ModelCache<ServedModel> cache;
  private final ModelCatalog catalog;
  private final RequestImages images;

  public WorkerModels(WorkerConfig config, InferenceMetrics metrics, TrainingWatch training, Runnable onChange) {
    this.config = config;
    this.classifiers = new ClassifierLoader(config.maxBatch(), config.maxBatchWait());
    CacheOptions options = CacheOptions.preloading(config.cachedVersions(), config.modelPoll(), config.instanceId())
        .withUpcoming(model -> training.describe(model).map(job -> "being trained (" + job + ")"))
        .withOnChange(onChange)
        .withUnloadTrim(config.unloadTrim());
    this.cache = new ModelCache<>(new BundleStore(config.modelStore()), (dir, name, version) -> {
      InferenceMetrics.Meters meters = metrics.of(name, version);
      return new ServedModel(classifiers.load(dir, name, version, meters), meters);
    }, ServedVersionPolicy.NEWEST, options);
    this.catalog = new ModelCatalog(cache, training, config.instanceId());
    this.images = new RequestImages(config.dataRoot(),
        new ImageLimits(config.maxImageBytes(), ImageLimits.DEFAULT.maxFileBytes(), config.maxImagePixels()));
  }

  /** Loads the newest version of every model in the store (in the background), then scans it periodically. */
  public void start() {
    cache.start();
  }

  /** A models-topic event: serve that version if it is newer than the served one. */
  public void onPublished(ModelPublished event) {
    cache.published(event.getName(), (int) event.getVersion());
  }

  /**
   * The model for one request ({@code name} empty: the default model; {@code version} 0: the served
   * one), leased until the caller closes the lease.
   */
  public CompletableFuture<Lease<ServedModel>> acquire(String name, long version) {
    String model = name == null || name.isBlank() ? config.defaultModel() : name;
    return cache.acquire(model, version).exceptionallyCompose(t -> CompletableFuture.failedFuture(failure(t)));
  }

  /** How error messages name an image: {@code image 2 ('cat.jpg')}. */
  public static String describe(Image image, int index) {
    String name = image.getName().isEmpty() && image.hasReference() ? image.getReference() : image.getName();
    return "image " + index + (name.isEmpty() ? "" : " ('" + name + "')");
  }

  /** A request image (inline, or a reference under the data root) as {@code model}'s input. Blocking: decodes. */
  public float[] input(ServedModel model, Image image, String what) {
    try {
      ModelInput input = model.input();
      return input.floats(images.load(image.hasData() ? image.getData().toByteArray() : null,
          image.getReference(), what, input.width(), input.height()));
    } catch (RuntimeException e) {
      throw failure(e);
    }
  }

  /** What {@code name} (every model when empty) looks like: versions, states, metadata. Blocking: reads manifests. */
  public ModelsReply describe(String name, long version) {
    try {
      return catalog.describe(name, version);
    } catch (RuntimeException e) {
      throw failure(e);
    }
  }

  /** Served versions, e.g. {@code {"cats-vs-dogs": 3}}. */
  public Map<String, Integer> servedVersions() {
    return cache.servedVersions();
  }

  /** For the status page: what is served, or why nothing is. */
  public String status() {
    Map<String, Integer> served = cache.servedVersions();
    if (served.isEmpty()) {
      return "none (model store " + cache.store().root() + (cache.knownModels().isEmpty() ? " is empty)" : ")");
    }
    return served.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(", "));
  }

  /** Readiness: why not ready (the store's models loading, or none loadable); null when ready. */
  public String notReadyReason() {
    return cache.notReadyReason();
  }

  /** A runtime failure as clients get it: its reason as the error code, the cause kept for dead letters. */
  static ServiceException failure(Throwable t) {
    Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    if (!(cause instanceof ServingException e)) {
      return ServiceException.of(cause);
    }
    if (e.reason() == ServingException.Reason.NOT_READY) {
      return new ModelNotReadyException(e.getMessage());
    }
    return new ServiceException(ErrorCode.valueOf(e.reason().name()), e.getMessage(), e.getCause());
  }

  /** Unloads every version (each once its requests end) and stops the loader and the batching threads. */
  @Override
  public void close() {
    cache.close();
    classifiers.close();
  }
}
