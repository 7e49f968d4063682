package io.convnet.kit.kafka;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The partitions of one request topic as a requester sees them. Each partition is served by one
 * instance of the serving group; when a request sent there stays unanswered while no reply at all
 * has come back from that partition for as long, its instance may be dead (its partitions move only after the
 * group's session timeout): the partition is suspect for a while, and new and re-sent requests
 * go round robin over the others. A reply from a partition clears it. Thread-safe.
 */
final class RequestPartitions {
  private final int count;
  private final long suspectNanos;
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicLongArray lastReplyNanos;
  private final AtomicLongArray suspectUntilNanos;

  RequestPartitions(int count, long suspectNanos) {
    this.count = count;
    this.suspectNanos = suspectNanos;
    this.lastReplyNanos = new AtomicLongArray(count);
    this.suspectUntilNanos = new AtomicLongArray(count);
    long now = System.nanoTime();
    for (int p = 0; p < count; p++) {
      lastReplyNanos.set(p, now);
      suspectUntilNanos.set(p, now);
    }
  }

  int count() {
    return count;
  }

  /** The next partition round robin that is neither {@code avoid} nor suspect; if all are, the next but {@code avoid}. */
  int pick(int avoid) {
    int start = next.getAndIncrement();
    long now = System.nanoTime();
    for (int i = 0; i < count; i++) {
      int p = Math.floorMod(start + i, count);
      if (p != avoid && suspectUntilNanos.get(p) - now <= 0) {
        return p;
      }
    }
    int p = Math.floorMod(start, count);
    return p == avoid && count > 1 ? (p + 1) % count : p;
  }

  void answered(int partition) {
    long now = System.nanoTime();
    lastReplyNanos.set(partition, now);
    suspectUntilNanos.set(partition, now);
  }

  /** Whether nothing came back from {@code partition} for {@code nanos} (a dead instance's answered its last). */
  boolean silentFor(int partition, long nanos) {
    return System.nanoTime() - lastReplyNanos.get(partition) >= nanos;
  }

  void suspect(int partition) {
    suspectUntilNanos.set(partition, System.nanoTime() + suspectNanos);
  }
}
