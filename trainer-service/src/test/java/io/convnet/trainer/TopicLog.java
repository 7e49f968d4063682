package io.convnet.trainer;

import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.proto.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Everything on a topic since its beginning, by record key, as a test reads it. */
final class TopicLog<T extends com.google.protobuf.MessageLite> implements AutoCloseable {
  private final Topic<T> topic;
  private final KafkaConsumer<String, byte[]> consumer;
  private final Map<String, List<T>> byKey = new ConcurrentHashMap<>();
  private final Thread thread;
  private volatile boolean running = true;

  TopicLog(Topic<T> topic) {
    this.topic = topic;
    this.consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", KafkaBrokerExtension.bootstrapServers()),
        new StringDeserializer(), new ByteArrayDeserializer());
    this.thread = new Thread(this::run, "test-log-" + topic.name());
    this.thread.setDaemon(true);
    this.thread.start();
  }

  private void run() {
    try {
      List<TopicPartition> all = List.of();
      while (all.isEmpty() && running) {  // the services create the topics
        all = consumer.partitionsFor(topic.name()).stream()
            .map(p -> new TopicPartition(topic.name(), p.partition())).toList();
        Thread.sleep(all.isEmpty() ? 100 : 0);
      }
      consumer.assign(all);
      consumer.seekToBeginning(all);
      while (running) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          byKey.computeIfAbsent(r.key(), k -> new CopyOnWriteArrayList<>()).add(topic.parse(r.value()));
        }
      }
    } catch (WakeupException e) {
      // closed
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      consumer.close();
    }
  }

  List<T> get(String key) {
    return new ArrayList<>(byKey.getOrDefault(key, List.of()));
  }

  /** The records of {@code key} once one of them matches {@code until}. */
  List<T> await(String key, Predicate<T> until, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      List<T> records = get(key);
      if (records.stream().anyMatch(until)) {
        return records;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new AssertionError("no matching record for " + key + " on " + topic.name() + " within " + timeout
        + "; got " + get(key));
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
  }
}
