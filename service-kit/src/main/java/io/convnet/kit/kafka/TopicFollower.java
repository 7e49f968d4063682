package io.convnet.kit.kafka;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import io.convnet.proto.Topic;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every partition of a topic from where {@link StartAt} says, then follows it, without a
 * consumer group: each instance sees the whole log (job histories, control messages, the
 * compacted models topic). {@link #start()} completes once the records that existed at start
 * have all been handed over, so a service can stay not ready until its view is complete.
 *
 * <p>The handler runs on this follower's own thread, in log order per partition; records that
 * do not parse are logged (topic, partition, offset) and skipped, and so are tombstones.
 */
public final class TopicFollower<T extends MessageLite> extends PollLoop {
  private static final Logger LOG = LoggerFactory.getLogger(TopicFollower.class);

  /** One record: its key, parsed value, and where it sits in the log. */
  public record Entry<T>(String key, T value, int partition, long offset, long timestampMs) {
  }

  private final Topic<T> topic;
  private final StartAt startAt;
  private final Consumer<Entry<T>> handler;
  private final Promise<Void> caughtUp = Promise.promise();
  private Map<TopicPartition, Long> end;
  private volatile boolean isCaughtUp;

  /** A follower of the whole log, from its beginning. */
  public TopicFollower(Context context, KafkaClients clients, Topic<T> topic, Consumer<Entry<T>> handler) {
    this(context, clients, topic, StartAt.beginning(), handler);
  }

  public TopicFollower(Context context, KafkaClients clients, Topic<T> topic, StartAt startAt,
                       Consumer<Entry<T>> handler) {
    super(context, "follow-" + topic.name(), clients.consumer("follow-" + topic.name(), null,
        Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")));
    this.topic = topic;
    this.startAt = startAt;
    this.handler = handler;
  }

  /** Starts reading; completes once every record present at start has been handled. */
  @Override
  public Future<Void> start() {
    return super.start().compose(v -> caughtUp.future());
  }

  public boolean caughtUp() {
    return isCaughtUp;
  }

  /** A readiness check: up once caught up, down for good if the consumer died. */
  @Override
  public Future<Void> check() {
    return super.check().compose(v -> isCaughtUp ? Future.succeededFuture()
        : Future.failedFuture("still reading " + topic.name()));
  }

  @Override
  protected void open() {
    end = consumer.endOffsets(startAt.assign(consumer, topic));
  }

  @Override
  protected void turn() {
    for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
      handle(record);
    }
    if (!isCaughtUp && end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
      isCaughtUp = true;
      onContext(caughtUp::tryComplete);
    }
  }

  @Override
  protected void shutDown() {
    Throwable failure = failure();
    onContext(() -> caughtUp.tryFail(failure != null ? failure.toString() : name() + " closed"));
  }

  private void handle(ConsumerRecord<String, byte[]> record) {
    if (record.value() == null) {
      return;  // a tombstone: no message
    }
    T value;
    try {
      value = topic.parse(record.value());
    } catch (InvalidProtocolBufferException e) {
      LOG.warn("{} record on partition {} offset {} is not a valid message ({}): skipped", topic.name(),
          record.partition(), record.offset(), e.getMessage());
      return;
    }
    try {
      handler.accept(new Entry<>(record.key(), value, record.partition(), record.offset(), record.timestamp()));
    } catch (RuntimeException e) {
      LOG.error("{} record on partition {} offset {}: handler failed", topic.name(), record.partition(),
          record.offset(), e);
    }
  }
}
