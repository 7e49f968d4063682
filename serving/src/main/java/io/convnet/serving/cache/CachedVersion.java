package io.convnet.serving.cache;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One loaded version, reference counted: the cache holds one reference while the version is served
 * or cached, every request one from its lease until the lease closes. When the cache lets go
 * ({@link #retire}) and the last lease ends, the version is closed on the closer (the loader
 * thread, never the caller's), so a switch fails no request and leaves nothing loaded behind.
 */
final class CachedVersion<M extends AutoCloseable> {
  private static final Logger LOG = LoggerFactory.getLogger(CachedVersion.class);

  final String name;
  final int version;
  final M model;
  private final Executor closer;
  private final AtomicInteger refs = new AtomicInteger(1);
  private final AtomicBoolean retired = new AtomicBoolean();

  CachedVersion(String name, int version, M model, Executor closer) {
    this.name = name;
    this.version = version;
    this.model = model;
    this.closer = closer;
  }

  /** A reference for one request; false once the version is closed (then look it up again). */
  boolean tryAcquire() {
    while (true) {
      int r = refs.get();
      if (r == 0) {
        return false;
      }
      if (refs.compareAndSet(r, r + 1)) {
        return true;
      }
    }
  }

  /** Ends one reference; the last one closes the version. */
  void release() {
    int left = refs.decrementAndGet();
    if (left == 0) {
      closer.execute(this::close);
    } else if (left < 0) {
      throw new IllegalStateException(this + " released more often than acquired");
    }
  }

  /** Whether a request holds it; meaningful while the cache holds it too. */
  boolean leased() {
    return refs.get() > 1;
  }

  /** The cache lets go: closed once the requests holding it end. */
  void retire() {
    if (retired.compareAndSet(false, true)) {
      release();
    }
  }

  private void close() {
    try {
      model.close();
      LOG.info("unloaded {}", this);
    } catch (Exception e) {
      LOG.warn("closing {} failed", this, e);
    }
  }

  @Override
  public String toString() {
    return name + " v" + version;
  }
}
