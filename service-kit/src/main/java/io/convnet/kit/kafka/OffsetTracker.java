package io.convnet.kit.kafka;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Which offsets may be committed while records finish out of order: per partition, up to
 * the oldest record still in flight. Used by one poll thread only.
 */
final class OffsetTracker {
  private final Map<TopicPartition, TreeSet<Long>> inFlight = new HashMap<>();
  private final Map<TopicPartition, Long> next = new HashMap<>();
  private final Map<TopicPartition, Long> committed = new HashMap<>();

  void started(TopicPartition tp, long offset) {
    inFlight.computeIfAbsent(tp, k -> new TreeSet<>()).add(offset);
    next.merge(tp, offset + 1, Math::max);
  }

  void finished(TopicPartition tp, long offset) {
    TreeSet<Long> offsets = inFlight.get(tp);
    if (offsets != null) {
      offsets.remove(offset);
    }
  }

  /** Offsets that moved since the last commit. */
  Map<TopicPartition, OffsetAndMetadata> committable() {
    Map<TopicPartition, OffsetAndMetadata> result = new HashMap<>();
    next.forEach((tp, nextOffset) -> {
      TreeSet<Long> offsets = inFlight.get(tp);
      long safe = offsets == null || offsets.isEmpty() ? nextOffset : offsets.first();
      if (safe > committed.getOrDefault(tp, -1L)) {
        result.put(tp, new OffsetAndMetadata(safe));
      }
    });
    return result;
  }

  void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
    offsets.forEach((tp, o) -> committed.merge(tp, o.offset(), Math::max));
  }

  /** Partitions that moved to another instance: what is in flight there is theirs to redo. */
  void forget(Collection<TopicPartition> partitions) {
    partitions.forEach(tp -> {
      inFlight.remove(tp);
      next.remove(tp);
      committed.remove(tp);
    });
  }
}
