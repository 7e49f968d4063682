package io.convnet.kit.kafka;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import io.convnet.proto.Topic;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every partition of a topic from its beginning, then follows it, without a consumer
 * group: each instance sees the whole log (job histories, control messages, the compacted
 * models topic). {@link #start()} completes once the records that existed at start have all
 * been handed over, so a service can stay not ready until its view is complete.
 *
 * <p>The handler runs on this follower's own thread, in log order per partition; records that
 * do not parse are logged (topic, partition, offset) and skipped.
 */
public final class TopicFollower<T extends MessageLite> {
  private static final Logger LOG = LoggerFactory.getLogger(TopicFollower.class);

  /** One record: its key, parsed value, and where it sits in the log. */
  public record Entry<T>(String key, T value, int partition, long offset, long timestampMs) {
  }

  private final Context context;
  private final Topic<T> topic;
  private final Consumer<Entry<T>> handler;
  private final KafkaConsumer<String, byte[]> consumer;
  private final Promise<Void> caughtUp = Promise.promise();
  private final Promise<Void> stopped = Promise.promise();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile boolean isCaughtUp;
  private volatile Throwable failure;

  public TopicFollower(Context context, KafkaClients clients, Topic<T> topic, Consumer<Entry<T>> handler) {
    this.context = context;
    this.topic = topic;
    this.handler = handler;
    this.consumer = clients.consumer("follow-" + topic.name(), null,
        Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"));
    this.thread = new Thread(this::run, "convnet-follow-" + topic.name());
    this.thread.setDaemon(true);
  }

  /** Starts reading; completes once every record present at start has been handled. */
  public Future<Void> start() {
    thread.start();
    return caughtUp.future();
  }

  public boolean caughtUp() {
    return isCaughtUp;
  }

  /** A readiness check: up once caught up, down for good if the consumer died. */
  public Future<Void> check() {
    if (failure != null) {
      return Future.failedFuture("following " + topic.name() + " stopped: " + failure);
    }
    return isCaughtUp ? Future.succeededFuture() : Future.failedFuture("still reading " + topic.name());
  }

  public Future<Void> close() {
    running = false;
    consumer.wakeup();
    return stopped.future();
  }

  private void run() {
    try {
      List<TopicPartition> all = consumer.partitionsFor(topic.name()).stream()
          .map(p -> new TopicPartition(topic.name(), p.partition())).toList();
      consumer.assign(all);
      consumer.seekToBeginning(all);
      Map<TopicPartition, Long> end = consumer.endOffsets(all);
      while (running) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          handle(record);
        }
        if (!isCaughtUp && end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
          isCaughtUp = true;
          context.runOnContext(v -> caughtUp.tryComplete());
        }
      }
    } catch (WakeupException e) {
      // close() woke us up
    } catch (RuntimeException e) {
      LOG.error("following {} failed", topic.name(), e);
      failure = e;
      context.runOnContext(v -> caughtUp.tryFail(e));
    } finally {
      try {
        consumer.close(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        LOG.warn("closing the {} follower: {}", topic.name(), e.toString());
      }
      context.runOnContext(v -> stopped.tryComplete());
    }
  }

  private void handle(ConsumerRecord<String, byte[]> record) {
    T value;
    try {
      value = topic.parse(record.value() == null ? new byte[0] : record.value());
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
