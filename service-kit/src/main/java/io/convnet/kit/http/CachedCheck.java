package io.convnet.kit.http;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.function.Supplier;

/** A health check run at most once per {@code ttl}: probes hitting /health/ready must not hammer Kafka. */
public final class CachedCheck implements Supplier<Future<Void>> {
  private final Duration ttl;
  private final Supplier<Future<Void>> check;
  private Future<Void> last;
  private long lastNanos;

  public CachedCheck(Duration ttl, Supplier<Future<Void>> check) {
    this.ttl = ttl;
    this.check = check;
  }

  @Override
  public synchronized Future<Void> get() {
    long now = System.nanoTime();
    if (last == null || (last.isComplete() && now - lastNanos > ttl.toNanos())) {
      last = check.get();
      lastNanos = now;
    }
    return last;
  }
}
