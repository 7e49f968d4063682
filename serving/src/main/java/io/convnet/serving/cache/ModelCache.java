package io.convnet.serving.cache;

import io.convnet.bundle.BundleStore;
import io.convnet.serving.ServingException;
import io.convnet.serving.ServingException.Reason;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model versions a service serves from a {@link BundleStore}, each loaded once into an
 * {@code M} and shared by the requests that lease it.
 *
 * <ul>
 *   <li>A request without a version gets the <em>served</em> version, which the
 *       {@link ServedVersionPolicy} names; when the policy names another (a newer version appeared,
 *       a label moved, up or down), that one is loaded, switched to atomically, and the old one is
 *       closed once its last lease ends: a switch fails no request. Versions the policy wants loaded
 *       besides (a canary) are loaded ahead into the LRU below.
 *   <li>A request for an explicit version gets it loaded on demand; such versions stay in a small
 *       LRU, and the least recently used ones are closed when it is full, never while leased.
 *   <li>A version deleted from the store is NOT_FOUND at once (a request for a version checks the store
 *       first); loaded, it is let go of then (or when an announcement or scan finds it gone) and closed
 *       once its last lease ends.
 *   <li>Loading and closing run on one loader thread, never on the caller's. After closing, the
 *       native memory the version freed is given back to the system ({@link NativeHeap}, unless
 *       {@link CacheOptions#unloadTrim} says not to).
 *   <li>Failures are {@link ServingException}s: NOT_FOUND for unknown models and versions,
 *       NOT_READY while a model is being loaded (or, per {@link CacheOptions#upcoming}, trained),
 *       UNAVAILABLE when a version cannot be loaded, the store is empty or the cache is closing.
 * </ul>
 *
 * See {@link CacheOptions} for loading every model at start (a worker) or on first use (a visualizer).
 */
public final class ModelCache<M extends AutoCloseable> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ModelCache.class);
  /** An announced version not yet in the store (a volume still syncing) is looked for this many times, a second apart. */
  private static final int PUBLISHED_RETRIES = 30;
  /** After an unload, freed native memory is given back this much later: once for a burst of unloads. */
  private static final long TRIM_DELAY_MS = 500;

  private final BundleStore store;
  private final VersionLoader<M> loader;
  private final ServedVersionPolicy policy;
  private final CacheOptions options;
  private final int capacity;
  private final ScheduledThreadPoolExecutor loaderThread;
  private final Map<String, CachedVersion<M>> served = new ConcurrentHashMap<>();
  /** Versions loaded on demand, least recently used first; guarded by {@code this}. */
  private final LinkedHashMap<String, CachedVersion<M>> cached = new LinkedHashMap<>(8, 0.75f, true);
  /** On-demand loads in progress; guarded by {@code this}. */
  private final Map<String, CompletableFuture<CachedVersion<M>>> loads = new HashMap<>();
  /** Versions that should have been served but could not be loaded, with the reason. */
  private final Map<String, String> failed = new ConcurrentHashMap<>();
  private final CompletableFuture<Void> initialScan = new CompletableFuture<>();
  private final Runnable noop = () -> { };
  private final Runnable evictIdle = this::evictIdle;
  private final AtomicBoolean trimPending = new AtomicBoolean();
  private volatile boolean closed;

  public ModelCache(BundleStore store, VersionLoader<M> loader, ServedVersionPolicy policy, CacheOptions options) {
    this.store = store;
    this.loader = loader;
    this.policy = policy;
    this.options = options;
    this.capacity = Math.max(1, options.cachedVersions());
    this.loaderThread = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "convnet-model-loader");
      t.setDaemon(true);
      return t;
    });
    loaderThread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  /** Preloading: loads every model's served version (in the background), then scans the store periodically. */
  public void start() {
    if (!options.preload()) {
      initialScan.complete(null);
      return;
    }
    loaderThread.execute(() -> {
      try {
        scan();
      } finally {
        initialScan.complete(null);
        options.onChange().run();
      }
    });
    long poll = options.storePoll().toMillis();
    if (poll > 0) {
      loaderThread.scheduleWithFixedDelay(this::scan, poll, poll, TimeUnit.MILLISECONDS);
    }
  }

  public BundleStore store() {
    return store;
  }

  /** Completes once the models in the store at start are loaded (or failed). */
  public CompletableFuture<Void> initialLoad() {
    return initialScan;
  }

  /**
   * Something about {@code name} was announced (the models topic: a version published, a label moved):
   * serve what the policy now names, once its files are there. Loading on demand there is nothing to
   * do: each request asks the policy itself.
   */
  public void changed(String name) {
    if (options.preload()) {
      loaderThread.execute(() -> {
        try {
          serveChanged(name, 0);
        } catch (RuntimeException e) {
          LOG.warn("serving what was announced for {} failed: {}", name, e.toString());
        }
      });
    }
  }

  private void serveChanged(String name, int attempt) {
    if (closed || !validName(name)) {
      return;
    }
    refresh(name);
    List<Integer> versions = store.versions(name);
    CachedVersion<M> current = served.get(name);
    TreeSet<Integer> wanted = new TreeSet<>(policy.alsoLoaded(name));
    wanted.add(policy.servedVersion(name, versions, current == null ? 0 : current.version));
    wanted.remove(0);
    wanted.removeAll(versions);
    if (wanted.isEmpty()) {
      return;
    }
    if (attempt < PUBLISHED_RETRIES) {  // announced before the store shows it (a volume still syncing)
      loaderThread.schedule(() -> serveChanged(name, attempt + 1), 1, TimeUnit.SECONDS);
    } else {
      LOG.warn("{} v{} was announced but never appeared in {}", name, wanted, store.root());
    }
  }

  private void scan() {
    if (closed) {
      return;
    }
    try {
      for (String name : store.models()) {
        refresh(name);
      }
    } catch (RuntimeException e) {
      LOG.warn("scanning the model store {} failed: {}", store.root(), e.toString());
    }
  }

  /**
   * Loader thread only: switches {@code name} to the version the policy names, if that is another one
   * in the store, and loads ahead the versions it wants loaded besides.
   */
  private void refresh(String name) {
    CachedVersion<M> current = served.get(name);
    int now = current == null ? 0 : current.version;
    List<Integer> versions = store.versions(name);
    forgetDeleted(name, versions);
    int target = policy.servedVersion(name, versions, now);
    loadAhead(name, versions, now, target);
    if (closed || target == 0 || target == now || !versions.contains(target)
        || failed.containsKey(key(name, target))) {
      return;
    }
    CachedVersion<M> next;
    synchronized (this) {
      next = cached.remove(key(name, target));
    }
    if (next == null) {
      try {
        next = load(name, target);
      } catch (RuntimeException e) {
        failed.put(key(name, target), String.valueOf(e.getMessage()));
        LOG.error("cannot load {} v{}; still serving {}", name, target, current, e);
        options.onChange().run();
        return;
      }
    }
    served.put(name, next);
    if (current != null) {
      if (policy.alsoLoaded(name).contains(current.version)) {  // e.g. rolled back from a version that stays canary
        synchronized (this) {
          cached.put(key(name, current.version), current);
        }
        evictIdle();
      } else {
        current.retire();
      }
      LOG.info("{}: switched from v{} to v{}", name, current.version, target);
    }
    options.onChange().run();
  }

  /** The policy's other versions (a canary) into the LRU, so that their first requests find them loaded. */
  private void loadAhead(String name, List<Integer> versions, int served, int target) {
    for (int v : policy.alsoLoaded(name)) {
      boolean loaded;
      synchronized (this) {
        loaded = cached.containsKey(key(name, v)) || loads.containsKey(key(name, v));
      }
      if (!closed && v != served && v != target && versions.contains(v) && !loaded) {
        loadOnDemand(name, v);
      }
    }
  }

  private CachedVersion<M> load(String name, int version) {
    long t0 = System.nanoTime();
    M model = loader.load(store.path(name, version), name, version);
    LOG.info("loaded {} v{} in {} ms", name, version, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    return new CachedVersion<>(name, version, model, this::closeLater);
  }

  /**
   * A lease on the version a request asks for ({@code version} 0: the served one), to be closed
   * when the request's work on it ends. Fails with a {@link ServingException}; never blocks.
   */
  public CompletableFuture<Lease<M>> acquire(String name, long version) {
    try {
      if (closed) {
        throw new ServingException(Reason.UNAVAILABLE, "shutting down");
      }
      if (name == null || name.isBlank()) {
        throw new ServingException(Reason.INVALID_ARGUMENT, "name a model");
      }
      if (version < 0 || version > Integer.MAX_VALUE) {
        throw new ServingException(Reason.INVALID_ARGUMENT, "version must be a positive integer, not " + version);
      }
      if (version != 0) {
        return acquireVersion(name, (int) version);
      }
      if (!options.preload()) {  // on demand: the store says which version is served now
        int v = policy.servedVersion(name, published(name), 0);
        return v == 0 ? CompletableFuture.failedFuture(notServed(name)) : acquireVersion(name, v);
      }
      return acquireServed(name);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** {@link #acquire}, waiting for it: for callers on threads of their own (never an event loop). */
  public Lease<M> acquireBlocking(String name, long version) {
    try {
      return acquire(name, version).get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new CompletionException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ServingException(Reason.UNAVAILABLE, "interrupted while waiting for model '" + name + "'", e);
    }
  }

  private CompletableFuture<Lease<M>> acquireServed(String name) {
    while (true) {
      CachedVersion<M> v = served.get(name);
      if (v == null) {
        break;
      }
      if (v.tryAcquire()) {
        return CompletableFuture.completedFuture(new Lease<>(v, noop));
      }
      if (served.get(name) == v) {  // closed yet still in the map: only while shutting down
        break;
      }
      // closed between the lookup and the acquire: its successor is in the map already
    }
    if (!initialScan.isDone()) {  // just started: wait for the store's models instead of failing
      return initialScan.thenCompose(x -> acquire(name, 0));
    }
    return CompletableFuture.failedFuture(notServed(name));
  }

  private CompletableFuture<Lease<M>> acquireVersion(String name, int version) {
    if (!published(name, version)) {  // never published, or deleted (a stat: a deleted one is gone at once)
      forgetDeleted(name, published(name));
      return CompletableFuture.failedFuture(versionNotFound(name, version));
    }
    CachedVersion<M> current = served.get(name);
    if (current != null && current.version == version && current.tryAcquire()) {
      return CompletableFuture.completedFuture(new Lease<>(current, noop));
    }
    synchronized (this) {
      CachedVersion<M> c = cached.get(key(name, version));
      if (c != null && c.tryAcquire()) {
        return CompletableFuture.completedFuture(new Lease<>(c, evictIdle));
      }
    }
    return loadOnDemand(name, version).thenCompose(v -> v.tryAcquire()
        ? CompletableFuture.completedFuture(new Lease<>(v, evictIdle)) : acquireVersion(name, version));
  }

  private synchronized CompletableFuture<CachedVersion<M>> loadOnDemand(String name, int version) {
    String key = key(name, version);
    CachedVersion<M> done = cached.get(key);  // loaded since the caller looked
    if (done != null) {
      return CompletableFuture.completedFuture(done);
    }
    CompletableFuture<CachedVersion<M>> pending = loads.get(key);
    if (pending != null) {
      return pending;
    }
    CompletableFuture<CachedVersion<M>> load = new CompletableFuture<>();
    loads.put(key, load);
    loaderThread.execute(() -> {
      CachedVersion<M> v;
      try {
        v = load(name, version);
      } catch (RuntimeException e) {
        synchronized (this) {
          loads.remove(key);
        }
        if (!published(name, version)) {  // deleted while it was being loaded
          load.completeExceptionally(versionNotFound(name, version));
          return;
        }
        LOG.error("cannot load {} v{}", name, version, e);
        load.completeExceptionally(new ServingException(Reason.UNAVAILABLE,
            "model '" + name + "' version " + version + " could not be loaded: " + e.getMessage(), e));
        return;
      }
      v.tryAcquire();  // held until the waiters have their leases, so that eviction passes it over
      try {
        synchronized (this) {
          loads.remove(key);
          if (!closed) {
            cached.put(key, v);
          }
        }
        if (closed) {
          v.retire();
          load.completeExceptionally(new ServingException(Reason.UNAVAILABLE, "shutting down"));
          return;
        }
        evictIdle();
        load.complete(v);  // the waiters lease it here, on this thread
      } finally {
        v.release();
      }
      options.onChange().run();
    });
    return load;
  }

  /** Closes the least recently used on-demand versions beyond the capacity that no request holds. */
  private void evictIdle() {
    List<CachedVersion<M>> evicted = new ArrayList<>();
    synchronized (this) {
      Iterator<CachedVersion<M>> it = cached.values().iterator();
      while (cached.size() > capacity && it.hasNext()) {
        CachedVersion<M> v = it.next();
        if (!v.leased()) {
          it.remove();
          evicted.add(v);
        }
      }
    }
    evicted.forEach(CachedVersion::retire);
  }

  /** The failure a request for {@code name} without a version gets when none is served. */
  public ServingException notServed(String name) {
    Optional<String> upcoming = options.upcoming().apply(name);
    if (upcoming.isPresent()) {
      return new ServingException(Reason.NOT_READY, "model '" + name + "' is " + upcoming.get() + "; retry later");
    }
    List<Integer> versions = published(name);
    int target = versions.isEmpty() ? 0 : policy.servedVersion(name, versions, 0);
    if (target != 0) {
      String error = failed.get(key(name, target));
      return error != null
          ? new ServingException(Reason.UNAVAILABLE, "model '" + name + "' version " + target
              + " could not be loaded: " + error)
          : new ServingException(Reason.NOT_READY, "model '" + name + "' is being loaded; retry shortly");
    }
    if (served.isEmpty() && store.models().isEmpty()) {
      return new ServingException(Reason.UNAVAILABLE, "no model loaded on " + options.instance()
          + " (the model store " + store.root() + " is empty; asked for '" + name + "')");
    }
    return new ServingException(Reason.NOT_FOUND, "model '" + name + "' is not served; known models: "
        + String.join(", ", knownModels()));
  }

  /** The failure a request for a version of {@code name} that is not in the store gets. */
  public ServingException versionNotFound(String name, int version) {
    List<Integer> versions = published(name);
    if (versions.isEmpty()) {
      return notServed(name);
    }
    return new ServingException(Reason.NOT_FOUND, "model '" + name + "' has no version " + version
        + "; versions: " + versions);
  }

  /** The versions of {@code name} in the store, ascending; none for a name the store cannot hold. */
  public List<Integer> published(String name) {
    return validName(name) ? store.versions(name) : List.of();
  }

  private boolean published(String name, int version) {
    return validName(name) && store.has(name, version);
  }

  /**
   * Lets go of the loaded versions of {@code name} that are no longer in the store (deleted): requests that
   * hold one finish on it, and it closes when the last ends. The served version is the policy's to change.
   */
  private void forgetDeleted(String name, List<Integer> versions) {
    List<CachedVersion<M>> gone = new ArrayList<>();
    synchronized (this) {
      cached.values().removeIf(v -> v.name.equals(name) && !versions.contains(v.version) && gone.add(v));
    }
    failed.keySet().removeIf(k -> k.startsWith(name + ':')
        && !versions.contains(Integer.parseInt(k.substring(name.length() + 1))));
    gone.forEach(v -> {
      LOG.info("{}: v{} is no longer in the store; unloading it", name, v.version);
      v.retire();
    });
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

  /** Served versions by model, e.g. {@code {"cats-vs-dogs": 3}}. */
  public Map<String, Integer> servedVersions() {
    Map<String, Integer> versions = new TreeMap<>();
    served.forEach((name, v) -> versions.put(name, v.version));
    return versions;
  }

  /** "name:version" of every loaded version: the served ones, then the others, most recently used last. */
  public synchronized List<String> loaded() {
    List<String> keys = new ArrayList<>();
    served.values().forEach(v -> keys.add(key(v.name, v.version)));
    keys.addAll(cached.keySet());
    return keys;
  }

  /** What state each version of {@code name} is in here. */
  public VersionStates states(String name) {
    CachedVersion<M> current = served.get(name);
    TreeSet<Integer> loadedVersions = new TreeSet<>();
    TreeSet<Integer> loading = new TreeSet<>();
    synchronized (this) {
      cached.values().stream().filter(c -> c.name.equals(name)).forEach(c -> loadedVersions.add(c.version));
      loads.keySet().stream().filter(k -> k.startsWith(name + ':'))
          .forEach(k -> loading.add(Integer.parseInt(k.substring(name.length() + 1))));
    }
    Map<Integer, String> failures = new TreeMap<>();
    failed.forEach((k, error) -> {
      if (k.startsWith(name + ':')) {
        failures.put(Integer.parseInt(k.substring(name.length() + 1)), error);
      }
    });
    return new VersionStates(current == null ? 0 : current.version, loadedVersions, loading, failures);
  }

  /** Readiness when preloading: why not ready (the store's models still loading, or none loadable); null when ready. */
  public String notReadyReason() {
    if (!options.preload()) {
      return null;
    }
    if (!initialScan.isDone()) {
      return "loading the models of " + store.root();
    }
    if (served.isEmpty() && !store.models().isEmpty()) {
      return "no model of " + store.root() + " could be loaded: " + failed;
    }
    return null;
  }

  /** Closing waits for nothing (no request holds the version any more) but must not run on the caller's thread. */
  private void closeLater(Runnable close) {
    try {
      loaderThread.execute(() -> {
        close.run();
        if (options.unloadTrim()) {
          trimSoon();
        }
      });
    } catch (RejectedExecutionException e) {  // shut down: close right here
      close.run();
    }
  }

  /**
   * Loader thread: gives the native memory of unloaded versions back to the system, once for the
   * unloads of the next {@link #TRIM_DELAY_MS} (malloc keeps a closed model's small blocks otherwise).
   */
  private void trimSoon() {
    if (trimPending.compareAndSet(false, true)) {
      try {
        loaderThread.schedule(() -> {
          trimPending.set(false);
          NativeHeap.trim();
        }, TRIM_DELAY_MS, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {  // shutting down
        trimPending.set(false);
      }
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

  /** Lets go of every version (each closes once its leases end) and stops the loader, waiting at most 10 s. */
  @Override
  public void close() {
    closed = true;
    List<CachedVersion<M>> all = new ArrayList<>(served.values());
    served.clear();
    synchronized (this) {
      all.addAll(cached.values());
      cached.clear();
    }
    all.forEach(CachedVersion::retire);
    loaderThread.shutdown();
    try {
      if (!loaderThread.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.warn("model loader still busy after 10 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
