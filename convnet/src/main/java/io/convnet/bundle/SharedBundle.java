package io.convnet.bundle;

import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * A loaded bundle that many threads use at once: each use holds a read lock and {@link #close()}
 * takes the write lock, so it waits for the uses in progress and no use ever runs on a freed session.
 */
public final class SharedBundle implements AutoCloseable {
  private final ModelBundle bundle;
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private boolean closed;

  public SharedBundle(ModelBundle bundle) {
    this.bundle = bundle;
  }

  /** The bundle itself, for what stays valid after closing (manifest, directory). */
  public ModelBundle bundle() {
    return bundle;
  }

  /** Runs {@code use} while the bundle cannot be closed; IllegalStateException once it has been. */
  public <T> T use(Supplier<T> use) {
    lock.readLock().lock();
    try {
      if (closed) {
        throw new IllegalStateException("model " + bundle.manifest().name() + " v" + bundle.manifest().version()
            + " (" + bundle.dir() + ") is closed");
      }
      return use.get();
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        bundle.close();
      }
    } finally {
      lock.writeLock().unlock();
    }
  }
}
