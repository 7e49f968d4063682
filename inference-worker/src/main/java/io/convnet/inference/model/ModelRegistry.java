package io.convnet.inference.model;

import io.convnet.bundle.BundleStore;
import io.convnet.bundle.Manifest;
import io.convnet.inference.WorkerConfig;
import io.convnet.inference.batch.InferenceMetrics;
import io.convnet.kit.ServiceException;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.ModelPublished;
import io.convnet.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models this worker serves. At start it loads the newest version of every model in the
 * store; later versions (announced on the models topic, or found by the periodic store scan)
 * are loaded, switched to atomically, and the old version is closed once the requests on it
 * have ended. Older versions asked for explicitly are loaded on demand and kept in a small LRU.
 * Loading and closing happen on one loader thread, never on the caller's.
 */
public final class ModelRegistry implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);
  private static final int PUBLISHED_RETRIES = 30;

  private final WorkerConfig config;
  private final BundleStore store;
  private final InferenceMetrics metrics;
  private final TrainingWatch training;
  private final Runnable onChange;
  private final ScheduledExecutorService loader;
  /** Threads of the batchers, reused from version to version (see {@link io.convnet.inference.batch.Batcher}). */
  private final java.util.concurrent.ExecutorService batchThreads;
  private final Map<String, LoadedModel> served = new ConcurrentHashMap<>();
  /** Explicitly requested older versions, least recently used first; guarded by {@code this}. */
  private final LinkedHashMap<String, LoadedModel> cached = new LinkedHashMap<>(8, 0.75f, true);
  /** On-demand loads in progress; guarded by {@code this}. */
  private final Map<String, CompletableFuture<LoadedModel>> loads = new HashMap<>();
  private final Map<String, String> failed = new ConcurrentHashMap<>();
  private final Map<Path, Manifest> manifests = new ConcurrentHashMap<>();
  private final CompletableFuture<Void> initialScan = new CompletableFuture<>();
  private volatile boolean closed;

  public ModelRegistry(WorkerConfig config, InferenceMetrics metrics, TrainingWatch training, Runnable onChange) {
    this.config = config;
    this.store = new BundleStore(config.modelStore());
    this.metrics = metrics;
    this.training = training;
    this.onChange = onChange;
    this.loader = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "convnet-model-loader");
      t.setDaemon(true);
      return t;
    });
    // idle threads are kept (not timed out): a new thread would mean a new malloc arena
    this.batchThreads = new java.util.concurrent.ThreadPoolExecutor(0, Integer.MAX_VALUE, 365, TimeUnit.DAYS,
        new java.util.concurrent.SynchronousQueue<>(), r -> {
          Thread t = new Thread(r, "convnet-batcher");
          t.setDaemon(true);
          return t;
        });
  }

  /** Loads the newest version of every model in the store (in the background), then scans it periodically. */
  public void start() {
    loader.execute(() -> {
      try {
        scan();
      } finally {
        initialScan.complete(null);
        onChange.run();
      }
    });
    long poll = config.modelPoll().toMillis();
    if (poll > 0) {
      loader.scheduleWithFixedDelay(this::scan, poll, poll, TimeUnit.MILLISECONDS);
    }
  }

  public Path storeRoot() {
    return store.root();
  }

  /** Completes once the models in the store at start are loaded (or failed). */
  public CompletableFuture<Void> initialLoad() {
    return initialScan;
  }

  /** A models-topic event: serve that version if it is newer than the served one. */
  public void onPublished(ModelPublished event) {
    loader.execute(() -> servePublished(event.getName(), (int) event.getVersion(), 0));
  }

  private void servePublished(String name, int version, int attempt) {
    if (closed || !validName(name)) {
      return;
    }
    LoadedModel current = served.get(name);
    if (current != null && current.version() >= version) {
      return;
    }
    if (!store.versions(name).contains(version)) {
      // announced before this worker sees the files (a volume still syncing): look again shortly
      if (attempt < PUBLISHED_RETRIES) {
        loader.schedule(() -> servePublished(name, version, attempt + 1), 1, TimeUnit.SECONDS);
      } else {
        LOG.warn("{} v{} was announced but never appeared in {}", name, version, store.root());
      }
      return;
    }
    serveIfNewer(name, version);
  }

  private void scan() {
    if (closed) {
      return;
    }
    try {
      for (String name : store.models()) {
        store.latestVersion(name).ifPresent(v -> serveIfNewer(name, v));
      }
    } catch (RuntimeException e) {
      LOG.warn("scanning the model store {} failed: {}", store.root(), e.toString());
    }
  }

  /** Loader thread only. */
  private void serveIfNewer(String name, int version) {
    LoadedModel current = served.get(name);
    if (closed || (current != null && current.version() >= version) || failed.containsKey(key(name, version))) {
      return;
    }
    LoadedModel next;
    synchronized (this) {
      next = cached.remove(key(name, version));
    }
    if (next == null) {
      try {
        next = LoadedModel.load(store.path(name, version), name, version, config, metrics, batchThreads, this::closeLater);
      } catch (RuntimeException e) {
        failed.put(key(name, version), String.valueOf(e.getMessage()));
        LOG.error("cannot load {} v{}; still serving {}", name, version, current, e);
        onChange.run();
        return;
      }
    }
    served.put(name, next);
    if (current != null) {
      current.retire();
      LOG.info("{}: switched from v{} to v{}", name, current.version(), version);
    }
    onChange.run();
  }

  /**
   * The model for one request, with a reference the caller must {@link LoadedModel#release()}.
   * {@code version} 0 means the served one. Fails with a {@link ServiceException}: NOT_FOUND for
   * unknown models and versions, UNAVAILABLE while a model is being trained or cannot be loaded.
   */
  public CompletableFuture<LoadedModel> acquire(String name, long version) {
    if (closed) {
      return CompletableFuture.failedFuture(new ServiceException(ErrorCode.UNAVAILABLE, "shutting down"));
    }
    if (version < 0 || version > Integer.MAX_VALUE) {
      return CompletableFuture.failedFuture(new ServiceException(ErrorCode.INVALID_ARGUMENT,
          "version must be a positive integer, not " + version));
    }
    String model = name == null || name.isBlank() ? config.defaultModel() : name;
    if (version == 0) {
      LoadedModel lm = acquireServed(model);
      if (lm != null) {
        return CompletableFuture.completedFuture(lm);
      }
      if (!initialScan.isDone()) {  // just started: wait for the store's models instead of failing
        return initialScan.thenCompose(x -> acquire(model, 0));
      }
      return CompletableFuture.failedFuture(notServed(model));
    }
    int v = (int) version;
    LoadedModel current = served.get(model);
    if (current != null && current.version() == v && current.tryAcquire()) {
      return CompletableFuture.completedFuture(current);
    }
    synchronized (this) {
      LoadedModel c = cached.get(key(model, v));
      if (c != null && c.tryAcquire()) {
        return CompletableFuture.completedFuture(c);
      }
    }
    if (!validName(model) || !store.versions(model).contains(v)) {
      return CompletableFuture.failedFuture(versionNotFound(model, v));
    }
    return loadOnDemand(model, v).thenCompose(lm -> lm.tryAcquire()
        ? CompletableFuture.completedFuture(lm) : acquire(model, version));
  }

  private LoadedModel acquireServed(String name) {
    while (true) {
      LoadedModel lm = served.get(name);
      if (lm == null) {
        return null;
      }
      if (lm.tryAcquire()) {
        return lm;
      }
      // closed between the lookup and the acquire: its successor is in the map already
      if (served.get(name) == lm) {
        return null;
      }
    }
  }

  private synchronized CompletableFuture<LoadedModel> loadOnDemand(String name, int version) {
    String key = key(name, version);
    CompletableFuture<LoadedModel> pending = loads.get(key);
    if (pending != null) {
      return pending;
    }
    CompletableFuture<LoadedModel> load = new CompletableFuture<>();
    loads.put(key, load);
    loader.execute(() -> {
      try {
        LoadedModel lm = LoadedModel.load(store.path(name, version), name, version, config, metrics, batchThreads, this::closeLater);
        List<LoadedModel> evicted = new ArrayList<>();
        synchronized (this) {
          loads.remove(key);
          cached.put(key, lm);
          Iterator<LoadedModel> it = cached.values().iterator();
          while (cached.size() > Math.max(1, config.cachedVersions()) && it.hasNext()) {
            evicted.add(it.next());
            it.remove();
          }
        }
        evicted.forEach(LoadedModel::retire);
        load.complete(lm);
        onChange.run();
      } catch (RuntimeException e) {
        synchronized (this) {
          loads.remove(key);
        }
        LOG.error("cannot load {} v{}", name, version, e);
        load.completeExceptionally(new ServiceException(ErrorCode.UNAVAILABLE,
            "model '" + name + "' version " + version + " could not be loaded: " + e.getMessage(), e));
      }
    });
    return load;
  }

  private ServiceException notServed(String name) {
    Optional<String> job = training.describe(name);
    if (job.isPresent()) {
      return new ModelNotReadyException("model '" + name + "' is being trained (" + job.get() + "); retry later");
    }
    List<Integer> versions = validName(name) ? store.versions(name) : List.of();
    if (!versions.isEmpty()) {
      String error = failed.get(key(name, versions.get(versions.size() - 1)));
      return error != null
          ? new ServiceException(ErrorCode.UNAVAILABLE, "model '" + name + "' version "
              + versions.get(versions.size() - 1) + " could not be loaded: " + error)
          : new ModelNotReadyException("model '" + name + "' is being loaded; retry shortly");
    }
    if (served.isEmpty() && store.models().isEmpty()) {
      return new ServiceException(ErrorCode.UNAVAILABLE, "no model loaded on " + config.instanceId()
          + " (the model store " + store.root() + " is empty; asked for '" + name + "')");
    }
    return new ServiceException(ErrorCode.NOT_FOUND, "model '" + name + "' is not served; known models: "
        + String.join(", ", knownModels()));
  }

  private ServiceException versionNotFound(String name, int version) {
    List<Integer> versions = validName(name) ? store.versions(name) : List.of();
    if (versions.isEmpty()) {
      return notServed(name);
    }
    return new ServiceException(ErrorCode.NOT_FOUND, "model '" + name + "' has no version " + version
        + "; versions: " + versions);
  }

  /** Names of the models served or in the store. */
  public List<String> knownModels() {
    TreeSet<String> names = new TreeSet<>(served.keySet());
    try {
      names.addAll(store.models());
    } catch (RuntimeException e) {
      LOG.warn("listing {}: {}", store.root(), e.toString());
    }
    return List.copyOf(names);
  }

  /** Served versions, e.g. {@code {"cats-vs-dogs": 3}}. */
  public Map<String, Integer> servedVersions() {
    return served.values().stream().collect(Collectors.toMap(LoadedModel::name, LoadedModel::version, (a, b) -> a,
        java.util.TreeMap::new));
  }

  /** Readiness: fails while the store's models are loading, or when it has models and none could be loaded. */
  public String notReadyReason() {
    if (!initialScan.isDone()) {
      return "loading the models of " + store.root();
    }
    if (served.isEmpty() && !store.models().isEmpty()) {
      return "no model of " + store.root() + " could be loaded: " + failed;
    }
    return null;
  }

  /** What {@code name} (every model when empty) looks like: versions, states, metadata. */
  public io.convnet.proto.ModelsReply describe(String name, long version) {
    var reply = io.convnet.proto.ModelsReply.newBuilder().setWorker(config.instanceId())
        .setStore(store.root().toString());
    List<String> names = name == null || name.isEmpty() ? knownModels() : List.of(name);
    for (String n : names) {
      io.convnet.proto.ModelInfo info = describeOne(n);
      if (info == null) {
        throw notServed(n);
      }
      if (version != 0) {
        var only = info.getVersionsList().stream().filter(s -> s.getVersion() == version).toList();
        if (only.isEmpty()) {
          throw versionNotFound(n, (int) version);
        }
        info = info.toBuilder().clearVersions().addAllVersions(only).build();
      }
      reply.addModels(info);
    }
    return reply.build();
  }

  private io.convnet.proto.ModelInfo describeOne(String name) {
    List<Integer> versions = validName(name) ? store.versions(name) : List.of();
    LoadedModel current = served.get(name);
    if (versions.isEmpty() && current == null) {
      return null;
    }
    TreeSet<Integer> all = new TreeSet<>(versions);
    if (current != null) {
      all.add(current.version());
    }
    Map<Integer, String> states = new HashMap<>();
    synchronized (this) {
      cached.values().stream().filter(c -> c.name().equals(name)).forEach(c -> states.put(c.version(), "AVAILABLE"));
      loads.keySet().stream().filter(k -> k.startsWith(name + ':'))
          .forEach(k -> states.put(Integer.parseInt(k.substring(name.length() + 1)), "LOADING"));
    }
    var info = io.convnet.proto.ModelInfo.newBuilder().setName(name)
        .setServedVersion(current == null ? 0 : current.version());
    training.describe(name).ifPresent(info::setTraining);
    for (int v : all) {
      var status = io.convnet.proto.ModelVersionStatus.newBuilder().setVersion(v);
      boolean isServed = current != null && current.version() == v;
      String error = failed.get(key(name, v));
      status.setServed(isServed).setState(isServed ? "AVAILABLE" : error != null ? "FAILED" : states.getOrDefault(v, "END"));
      if (error != null) {
        status.setError(error);
      }
      Manifest m = isServed ? current.manifest() : manifest(store.path(name, v));
      if (m != null) {
        if (m.createdAt() != null) {
          status.setCreatedAt(m.createdAt());
        }
        if (m.metrics() != null) {
          status.putMetrics("loss", m.metrics().loss()).putMetrics("accuracy", m.metrics().accuracy())
              .putMetrics("val_loss", m.metrics().valLoss()).putMetrics("val_accuracy", m.metrics().valAccuracy());
        }
      }
      info.addVersions(status);
    }
    Manifest m = current != null ? current.manifest() : manifest(store.path(name, all.last()));
    if (m != null) {
      if (m.labels() != null) {
        info.addAllLabels(m.labels());
      }
      if (m.architecture() != null) {
        info.setArchitecture(m.architecture());
      }
      if (m.input() != null) {
        info.setInputHeight(m.input().height()).setInputWidth(m.input().width()).setInputChannels(m.input().channels());
      }
      if (m.preprocessing() != null) {
        info.setPreprocessing(m.preprocessing().mode());
      }
      if (m.output() != null) {
        info.setOutputActivation(m.output().activation());
      }
      if (m.layers() != null) {
        info.addAllConvLayers(m.convLayers());
      }
    }
    return info.build();
  }

  private Manifest manifest(Path dir) {
    Path file = dir.resolve("manifest.json");
    if (!Files.isRegularFile(file)) {
      return null;
    }
    return manifests.computeIfAbsent(dir, d -> {
      try {
        return Json.read(file, Manifest.class);
      } catch (RuntimeException e) {
        LOG.warn("unreadable manifest {}: {}", file, e.toString());
        return null;
      }
    });
  }

  /** Closing waits for nothing (no request holds the model any more) but must not run on an event loop. */
  private void closeLater(Runnable close) {
    try {
      loader.execute(close);
    } catch (java.util.concurrent.RejectedExecutionException e) {  // shut down: close right here
      close.run();
    }
  }

  private static boolean validName(String name) {
    try {
      BundleStore.checkModelName(name);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String key(String name, int version) {
    return name + ':' + version;
  }

  /** Unloads every version (waiting for their requests, at most a few seconds) and stops the loader. */
  @Override
  public void close() {
    closed = true;
    List<LoadedModel> all = new ArrayList<>(served.values());
    served.clear();
    synchronized (this) {
      all.addAll(cached.values());
      cached.clear();
    }
    all.forEach(LoadedModel::retire);
    loader.shutdown();
    try {
      if (!loader.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.warn("model loader still busy after 10 s");
      }
      batchThreads.shutdown();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
