package io.convnet.serving.cache;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One request's hold on a model version: the version stays loaded until the lease is closed,
 * even if a newer one is switched to or it is evicted meanwhile. Close it exactly when the
 * request's work on the model has ended (closing twice is harmless).
 */
public final class Lease<M extends AutoCloseable> implements AutoCloseable {
  private final CachedVersion<M> version;
  private final Runnable onClose;
  private final AtomicBoolean closed = new AtomicBoolean();

  Lease(CachedVersion<M> version, Runnable onClose) {
    this.version = version;
    this.onClose = onClose;
  }

  /** What the version was loaded into. */
  public M model() {
    return version.model;
  }

  public String name() {
    return version.name;
  }

  public int version() {
    return version.version;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      version.release();
      onClose.run();
    }
  }

  @Override
  public String toString() {
    return "lease on " + version;
  }
}
