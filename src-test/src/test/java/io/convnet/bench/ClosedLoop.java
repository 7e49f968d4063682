package io.convnet.bench;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One measuring window of closed-loop load, shared by its callers (each sends its next request when
 * its last one returned): when the window ends, which photo comes next, and what each call took.
 */
final class ClosedLoop {
  private final long t0 = System.nanoTime();
  private final long end;
  private final long[] latencies = new long[1_000_000];
  private final AtomicInteger count = new AtomicInteger();
  private final AtomicInteger failures = new AtomicInteger();
  private final AtomicInteger next = new AtomicInteger();

  ClosedLoop(long ms) {
    this.end = t0 + ms * 1_000_000;
  }

  /** True once the window is over: the caller stops. */
  boolean over() {
    return System.nanoTime() >= end;
  }

  /** The next item, round robin over every caller. */
  <T> T next(List<T> items) {
    return items.get(Math.floorMod(next.getAndIncrement(), items.size()));
  }

  /** A call that started at {@code startNanos} ({@link System#nanoTime}) answered. */
  void succeeded(long startNanos) {
    int i = count.getAndIncrement();
    if (i < latencies.length) {
      latencies[i] = System.nanoTime() - startNanos;
    }
  }

  void failed() {
    failures.incrementAndGet();
  }

  LoadGenerator.Sample sample() {
    return new LoadGenerator.Sample(Arrays.copyOf(latencies, Math.min(count.get(), latencies.length)), failures.get(),
        (System.nanoTime() - t0) / 1e9);
  }
}
