package io.convnet.kit.kafka;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The partitions of one request topic as a requester sees them: which instance of the serving
 * group last answered from each ({@link io.convnet.proto.Headers#RESPONDER}) and when. A
 * partition whose requests stay unanswered while it has been silent for as long, and another
 * instance answers from other partitions, is served by an instance that may be dead (its
 * partitions move only after the group's session timeout): it is suspect for a while, new
 * requests go round robin over the others, and its unanswered requests go to a partition of the
 * instance that answers. A reply from a partition clears it. Thread-safe.
 */
final class RequestPartitions {
  private final int count;
  private final long suspectNanos;
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicLongArray lastReplyNanos;
  private final AtomicLongArray suspectUntilNanos;
  private final AtomicReferenceArray<String> responders;

  RequestPartitions(int count, long suspectNanos) {
    this.count = count;
    this.suspectNanos = suspectNanos;
    this.lastReplyNanos = new AtomicLongArray(count);
    this.suspectUntilNanos = new AtomicLongArray(count);
    this.responders = new AtomicReferenceArray<>(count);
    long now = System.nanoTime();
    for (int p = 0; p < count; p++) {
      lastReplyNanos.set(p, now);
      suspectUntilNanos.set(p, now);
    }
  }

  /** The next partition round robin that is not suspect; if all are, the next one. */
  int pick() {
    int start = next.getAndIncrement();
    long now = System.nanoTime();
    for (int i = 0; i < count; i++) {
      int p = Math.floorMod(start + i, count);
      if (suspectUntilNanos.get(p) - now <= 0) {
        return p;
      }
    }
    return Math.floorMod(start, count);
  }

  /** A reply came from {@code partition}, answered by {@code responder} (null if unnamed). */
  void answered(int partition, String responder) {
    long now = System.nanoTime();
    lastReplyNanos.set(partition, now);
    suspectUntilNanos.set(partition, now);
    if (responder != null && !responder.equals(responders.get(partition))) {
      responders.set(partition, responder);
    }
  }

  /**
   * Where to send again a request sent at {@code sentNanos} and left unanswered on {@code silent}:
   * a partition (round robin) of another instance than the one last seen on {@code silent}, that
   * answered since the request was sent or within {@code nanos} (alive, while {@code silent} is
   * not); -1 when {@code silent} answered within {@code nanos} or no such partition is known (one
   * instance serves all: sending again would only load it twice). Marks {@code silent} suspect
   * when it returns a partition.
   */
  int alternativeTo(int silent, long sentNanos, long nanos) {
    long now = System.nanoTime();
    String silentResponder = responders.get(silent);
    if (silentResponder == null || now - lastReplyNanos.get(silent) < nanos) {
      return -1;
    }
    int start = next.getAndIncrement();
    for (int i = 0; i < count; i++) {
      int p = Math.floorMod(start + i, count);
      String responder = responders.get(p);
      long lastReply = lastReplyNanos.get(p);
      boolean alive = lastReply - sentNanos > 0 || now - lastReply < nanos;
      if (p != silent && alive && responder != null && !Objects.equals(responder, silentResponder)) {
        suspectUntilNanos.set(silent, now + suspectNanos);
        return p;
      }
    }
    return -1;
  }
}
