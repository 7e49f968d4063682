package io.convnet.kit.http;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * A health check run at most once per {@code ttl}: probes hitting /health/ready must not hammer
 * Kafka, nor wait for it. While a new run is under way the last finished result answers (only
 * the very first run is waited for).
 */
public final class CachedCheck implements Supplier<Future<Void>> {
  private final Duration ttl;
  private final Supplier<Future<Void>> check;
  private Future<Void> last;
  private Future<Void> running;
  private long startedNanos;

  public CachedCheck(Duration ttl, Supplier<Future<Void>> check) {
    this.ttl = ttl;
    this.check = check;
  }

  @Override
  public synchronized Future<Void> get() {
    long now = System.nanoTime();
    if (running == null && (last == null || now - startedNanos > ttl.toNanos())) {
      startedNanos = now;
      Future<Void> run = check.get();
      running = run;
      run.onComplete(ar -> finished(run));
    }
    return last != null ? last : running;
  }

  private synchronized void finished(Future<Void> run) {
    last = run;
    if (running == run) {
      running = null;
    }
  }
}
