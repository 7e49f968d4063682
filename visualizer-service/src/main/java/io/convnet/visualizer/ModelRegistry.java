package io.convnet.visualizer;

import io.convnet.bundle.BundleStore;
import io.convnet.kit.ServiceException;
import io.convnet.proto.ErrorCode;
import io.convnet.viz.NaturalMaxima;
import io.convnet.viz.VisualModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Model versions loaded on demand from the store (the newest unless a version is asked for, so a newly
 * published version is used by the next request), at most {@code maxModels} of them: the least recently
 * used one that no request holds is closed first. Calls block (loading takes about a second): run them
 * off the event loop.
 */
final class ModelRegistry implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);

  private final BundleStore store;
  private final int maxModels;
  private final Path cacheDir;
  private final Path dataRoot;
  private final Path validationOverride;
  private final int naturalPerClass;
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
  private boolean closed;

  ModelRegistry(BundleStore store, int maxModels, Path cacheDir, Path dataRoot, Path validationOverride,
      int naturalPerClass) {
    this.store = store;
    this.maxModels = Math.max(1, maxModels);
    this.cacheDir = cacheDir;
    this.dataRoot = dataRoot;
    this.validationOverride = validationOverride;
    this.naturalPerClass = naturalPerClass;
  }

  /** The model version as a store path check: name valid, model and version present. */
  int resolveVersion(String name, long version) {
    if (name == null || name.isEmpty()) {
      throw new ServiceException(ErrorCode.INVALID_ARGUMENT, "name a model");
    }
    try {
      BundleStore.checkModelName(name);
    } catch (IllegalArgumentException e) {
      throw new ServiceException(ErrorCode.INVALID_ARGUMENT, e.getMessage());
    }
    List<Integer> versions = store.versions(name);
    if (versions.isEmpty()) {
      throw new ServiceException(ErrorCode.NOT_FOUND, "model '" + name + "' is not in the model store; known models: "
          + String.join(", ", store.models()));
    }
    if (version == 0) {
      return versions.get(versions.size() - 1);
    }
    if (version < 0 || !versions.contains((int) version)) {
      throw new ServiceException(ErrorCode.NOT_FOUND, "model '" + name + "' has no version " + version
          + "; versions: " + versions);
    }
    return (int) version;
  }

  /** Holds the model version until the lease is closed. Blocking. */
  Lease acquire(String name, long version) {
    int v = resolveVersion(name, version);
    String key = name + ":" + v;
    Entry entry;
    synchronized (this) {
      if (closed) {
        throw new ServiceException(ErrorCode.UNAVAILABLE, "the visualizer is shutting down");
      }
      entry = entries.computeIfAbsent(key, k -> new Entry(name, v));
      entry.leases++;
      evictIdle();
    }
    try {
      entry.load(store.path(name, v));
      return new Lease(entry);
    } catch (RuntimeException e) {
      release(entry);
      synchronized (this) {
        if (entry.model == null) {
          entries.remove(key, entry);
        }
      }
      throw e;
    }
  }

  /** "name:version" of every loaded model, most recently used last. */
  synchronized List<String> loaded() {
    return new ArrayList<>(entries.keySet());
  }

  private synchronized void evictIdle() {
    Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
    while (entries.size() > maxModels && it.hasNext()) {
      Entry e = it.next().getValue();
      if (e.leases == 0) {
        it.remove();
        e.close();
      }
    }
  }

  private void release(Entry entry) {
    synchronized (this) {
      entry.leases--;
      if (!entries.containsValue(entry) && entry.leases == 0) {
        entry.close();
      }
      evictIdle();
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    for (Entry e : entries.values()) {
      e.close();
    }
    entries.clear();
  }

  /** The images natural maxima are computed from, if any. */
  Optional<Path> validationDir(VisualModel model) {
    if (validationOverride != null && Files.isDirectory(validationOverride)) {
      return Optional.of(validationOverride);
    }
    return NaturalMaxima.validationDir(model.manifest(), dataRoot);
  }

  /** One loaded version and, once asked for, its natural maxima. */
  final class Entry {
    final String name;
    final int version;
    int leases;
    private VisualModel model;
    private NaturalMaxima natural;
    private boolean naturalTried;

    Entry(String name, int version) {
      this.name = name;
      this.version = version;
    }

    synchronized void load(Path dir) {
      if (model == null) {
        long t0 = System.nanoTime();
        model = VisualModel.load(dir);
        LOG.info("loaded {} v{} in {} ms", name, version, (System.nanoTime() - t0) / 1_000_000);
      }
    }

    synchronized NaturalMaxima natural() {
      if (!naturalTried) {
        naturalTried = true;
        Optional<Path> dir = validationDir(model);
        if (dir.isEmpty()) {
          LOG.warn("{} v{}: no validation images (manifest data {} under {}, no CONVNET_VIZ_VALIDATION_DIR): "
              + "filters are shown without natural maxima", name, version,
              model.manifest().training() == null ? null : model.manifest().training().get("data"), dataRoot);
        } else {
          natural = NaturalMaxima.loadOrCompute(model, dir.get(), naturalPerClass,
              cacheDir.resolve(name).resolve(Integer.toString(version)));
        }
      }
      return natural;
    }

    synchronized void close() {
      if (model != null) {
        model.close();
        LOG.info("closed {} v{}", name, version);
      }
    }
  }

  /** A held model version. */
  final class Lease implements AutoCloseable {
    private final Entry entry;
    private boolean released;

    Lease(Entry entry) {
      this.entry = entry;
    }

    VisualModel model() {
      return entry.model;
    }

    /** Natural maxima of this version (computed on first use, then cached); null when no images are known. */
    NaturalMaxima natural() {
      return entry.natural();
    }

    @Override
    public void close() {
      if (!released) {
        released = true;
        release(entry);
      }
    }
  }
}
