package io.convnet.worker.score;

import io.convnet.proto.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Test side of batch scoring: feeds the requests topic, reads both output topics read_committed. */
public final class ScoreTopics implements AutoCloseable {
  private final KafkaProducer<String, byte[]> producer;
  private final KafkaConsumer<String, byte[]> consumer;
  public final List<ConsumerRecord<String, byte[]>> results = new ArrayList<>();
  public final List<ConsumerRecord<String, byte[]>> deadLetters = new ArrayList<>();

  public ScoreTopics(String bootstrap) {
    producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap, "linger.ms", 5), new StringSerializer(),
        new ByteArraySerializer());
    consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap, "isolation.level", "read_committed"),
        new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> all = new ArrayList<>();
    for (String topic : List.of(Topics.SCORE_RESULTS.name(), Topics.SCORE_DEAD_LETTERS.name())) {
      consumer.partitionsFor(topic).forEach(p -> all.add(new TopicPartition(topic, p.partition())));
    }
    consumer.assign(all);
    consumer.seekToEnd(all);
    all.forEach(consumer::position);
  }

  public void send(ProducerRecord<String, byte[]> record) {
    producer.send(record);
  }

  public void flush() {
    producer.flush();
  }

  /** Reads until {@code count} outputs arrived or {@code timeout} passed; then {@code extra} longer to catch duplicates. */
  public int await(int count, Duration timeout, Duration extra) {
    long until = System.nanoTime() + timeout.toNanos();
    while (results.size() + deadLetters.size() < count && System.nanoTime() < until) {
      poll();
    }
    long more = System.nanoTime() + extra.toNanos();
    while (System.nanoTime() < more) {
      poll();
    }
    return results.size() + deadLetters.size();
  }

  private void poll() {
    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
      (r.topic().equals(Topics.SCORE_RESULTS.name()) ? results : deadLetters).add(r);
    }
  }

  @Override
  public void close() {
    producer.close();
    consumer.close();
  }
}
