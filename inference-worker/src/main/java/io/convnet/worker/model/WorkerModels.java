package io.convnet.worker.model;

import io.convnet.bundle.BundleStore;
import io.convnet.kit.ServiceException;
import io.convnet.lifecycle.Lifecycle;
import io.convnet.lifecycle.LifecycleStore;
import io.convnet.limits.LifecycleLimits;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.Image;
import io.convnet.proto.ModelPublished;
import io.convnet.proto.ModelRef;
import io.convnet.proto.ModelsReply;
import io.convnet.proto.ModelsRequest;
import io.convnet.serving.ServingException;
import io.convnet.serving.cache.CacheOptions;
import io.convnet.serving.cache.LabelPolicy;
import io.convnet.serving.cache.Lease;
import io.convnet.serving.image.ModelInput;
import io.convnet.serving.cache.ModelCache;
import io.convnet.serving.classify.ClassifierLoader;
import io.convnet.serving.image.ImageLimits;
import io.convnet.serving.image.RequestImages;
import io.convnet.worker.config.WorkerConfig;
import io.convnet.worker.metrics.InferenceMetrics;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * The serving runtime as this worker uses it: every model of the store served from the start (its
 * {@code stable} version, switched to as labels move or new versions appear: announced on the models
 * topic or found by the periodic store scan), its canary loaded ahead and given its share of the
 * requests that name no version, other versions loaded on demand, request images turned into model
 * input, and every failure as the {@link ServiceException} clients get (NOT_READY as
 * {@link ModelNotReadyException}, so score records wait).
 */
public final class WorkerModels implements AutoCloseable {
  /** How old the store's labels of a model may be when the store scan looks at it (announcements are at once). */
  private static final Duration LABELS_REREAD = Duration.ofSeconds(1);

  private final WorkerConfig config;
  private final ClassifierLoader classifiers;
  private final LabelPolicy labels;
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
    BundleStore store = new BundleStore(config.modelStore());
    this.labels = new LabelPolicy(new LifecycleStore(store), LABELS_REREAD);
    this.cache = new ModelCache<>(store, (dir, name, version) -> {
      InferenceMetrics.Meters meters = metrics.of(name, version);
      return new ServedModel(classifiers.load(dir, name, version, meters), meters);
    }, labels, options);
    this.catalog = new ModelCatalog(cache, labels, training, config.instanceId());
    this.images = new RequestImages(config.dataRoot(), config.uploadDir(),
        new ImageLimits(config.maxImageBytes(), ImageLimits.DEFAULT.maxFileBytes(), config.maxImagePixels()));
  }

  /** Loads the stable version of every model in the store (in the background), then scans it periodically. */
  public void start() {
    cache.start();
  }

  /** A models-topic record: a new version, or labels that moved; serve what the model's stable label names. */
  public void onPublished(ModelPublished record) {
    if (record.getRevision() > 0) {
      labels.announced(record.getName(), LifecycleMessages.of(record));
    }
    cache.changed(record.getName());
  }

  /**
   * The model version for one request, leased until the caller closes the lease: {@code ref}'s label, else
   * its version, else (neither named) stable, or the canary for the policy's share of such requests (stable
   * when the canary cannot serve). An empty name is the default model.
   */
  public CompletableFuture<Lease<ServedModel>> acquire(ModelRef ref) {
    String model = ref.getName().isBlank() ? config.defaultModel() : ref.getName();
    CompletableFuture<Lease<ServedModel>> lease;
    try {
      if (!ref.getLabel().isEmpty()) {
        lease = cache.acquire(model, labels.resolve(model,
            ServiceException.checking(() -> LifecycleLimits.checkLabel(ref.getLabel()))));
      } else if (ref.getVersion() != 0) {
        lease = cache.acquire(model, ref.getVersion());
      } else {
        lease = routed(model);
      }
    } catch (RuntimeException e) {
      lease = CompletableFuture.failedFuture(e);
    }
    return lease.exceptionallyCompose(t -> CompletableFuture.failedFuture(failure(t)));
  }

  /**
   * An unlabelled request: stable, or the canary for its share. While there is a canary, where each one
   * went is counted (the share observed: canary's routed over both versions').
   */
  private CompletableFuture<Lease<ServedModel>> routed(String model) {
    Lifecycle l = labels.known(model);
    boolean shared = l != null && l.canary() != 0 && l.canary() != l.stable();
    if (!shared) {
      return cache.acquire(model, 0);
    }
    CompletableFuture<Lease<ServedModel>> lease = ThreadLocalRandom.current().nextDouble() < l.policy().canaryShare()
        ? cache.acquire(model, l.canary()).exceptionallyCompose(t -> cache.acquire(model, 0))
        : cache.acquire(model, 0);
    return lease.thenApply(leased -> {
      leased.model().meters().routed();
      return leased;
    });
  }

  /**
   * Whether an answer of {@code lease} should also be scored by stable: it is the model's canary and the
   * policy's shadow share picks it.
   */
  public boolean shadowed(Lease<ServedModel> lease) {
    Lifecycle l = labels.known(lease.name());
    return l != null && l.canary() == lease.version() && l.stable() != lease.version()
        && ThreadLocalRandom.current().nextDouble() < l.policy().shadowShare();
  }

  /** The served (stable) version of {@code model}, to score what a canary scored. */
  CompletableFuture<Lease<ServedModel>> stable(String model) {
    return cache.acquire(model, 0);
  }

  /** How error messages name an image: {@code image 2 ('cat.jpg')}. */
  public static String describe(Image image, int index) {
    String name = image.getName().isEmpty() && image.hasReference() ? image.getReference() : image.getName();
    return "image " + index + (name.isEmpty() ? "" : " ('" + name + "')");
  }

  /**
   * A request image (inline, a reference under the data root, or an upload the gateway staged) as
   * {@code model}'s input. Blocking: decodes.
   */
  public float[] input(ServedModel model, Image image, String what) {
    try {
      ModelInput input = model.input();
      return input.floats(images.load(image.hasData() ? image.getData().toByteArray() : null,
          image.getReference(), image.getUpload(), what, input.width(), input.height()));
    } catch (RuntimeException e) {
      throw failure(e);
    }
  }

  /** What a model (every model when the request names none) looks like: versions, states, labels, metadata. Blocking. */
  public ModelsReply describe(ModelsRequest request) {
    try {
      return catalog.describe(request);
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
