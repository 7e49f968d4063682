package io.convnet.kit.kafka;

import io.convnet.proto.Topic;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;

/**
 * Where a consumer without a group starts reading every partition of a topic: from the
 * beginning (a whole history, a compacted topic), from the end (only what comes next), or
 * from the first record written at most {@code lookback} ago (the end when there is none).
 */
public final class StartAt {
  private enum Kind { BEGINNING, END, SINCE }

  private final Kind kind;
  private final Duration lookback;

  private StartAt(Kind kind, Duration lookback) {
    this.kind = kind;
    this.lookback = lookback;
  }

  public static StartAt beginning() {
    return new StartAt(Kind.BEGINNING, null);
  }

  public static StartAt end() {
    return new StartAt(Kind.END, null);
  }

  /** Records written since {@code lookback} before the consumer is positioned. */
  public static StartAt since(Duration lookback) {
    return new StartAt(Kind.SINCE, lookback);
  }

  /** Assigns every partition of {@code topic} to {@code consumer} and positions each; returns them. */
  public List<TopicPartition> assign(Consumer<?, ?> consumer, Topic<?> topic) {
    List<TopicPartition> all = consumer.partitionsFor(topic.name()).stream()
        .map(p -> new TopicPartition(topic.name(), p.partition())).toList();
    consumer.assign(all);
    switch (kind) {
      case BEGINNING -> consumer.seekToBeginning(all);
      case END -> consumer.seekToEnd(all);
      case SINCE -> {
        Map<TopicPartition, Long> query = new HashMap<>();
        long since = System.currentTimeMillis() - lookback.toMillis();
        all.forEach(tp -> query.put(tp, since));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query);
        for (TopicPartition tp : all) {
          OffsetAndTimestamp o = found.get(tp);
          if (o == null) {
            consumer.seekToEnd(List.of(tp));
          } else {
            consumer.seek(tp, o.offset());
          }
        }
      }
    }
    all.forEach(consumer::position);  // resolve the (lazy) seeks now: "the end" means now, not at the first poll
    return all;
  }
}
