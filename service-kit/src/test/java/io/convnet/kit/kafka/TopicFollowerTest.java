package io.convnet.kit.kafka;

import static io.convnet.kit.testing.TestServices.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.StringValue;
import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kit.testing.TestServices;
import io.convnet.proto.Topic;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A follower starts where it is told: at the beginning (everything), at a lookback (records
 * written since then, by their timestamps) or at the end (only what comes after it started);
 * start() completes once what was there at start has been handed over.
 */
@ExtendWith(KafkaBrokerExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TopicFollowerTest {
  static final Topic<StringValue> TOPIC = new Topic<>("test.follower", StringValue.parser(), 2, false);
  static final long HOUR = TimeUnit.HOURS.toMillis(1);

  static Vertx vertx;
  static KafkaClients clients;
  static KafkaProducer<String, byte[]> producer;

  @BeforeAll
  static void writeHistory() throws Exception {
    vertx = Vertx.vertx();
    clients = new KafkaClients(TestServices.config("follower-test", Map.of()), new SimpleMeterRegistry());
    try (Admin admin = clients.admin()) {
      admin.createTopics(List.of(new NewTopic(TOPIC.name(), 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
    producer = clients.producer("test", Map.of());
    long now = System.currentTimeMillis();
    // two days ago, three hours ago, a minute ago: on both partitions
    for (long age : new long[] {48 * HOUR, 3 * HOUR, 60_000}) {
      for (int p = 0; p < 2; p++) {
        String text = (age / 60_000) + "m-p" + p;
        producer.send(new ProducerRecord<>(TOPIC.name(), p, now - age, "k", StringValue.of(text).toByteArray())).get();
      }
    }
    producer.send(new ProducerRecord<String, byte[]>(TOPIC.name(), 0, now, "tombstone", null)).get();
  }

  @AfterAll
  static void stop() {
    producer.close();
    clients.close();
    await(vertx.close());
  }

  static List<String> follow(StartAt startAt, boolean writeOneMore) throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    TopicFollower<StringValue> follower = new TopicFollower<>(vertx.getOrCreateContext(), clients, TOPIC, startAt,
        e -> seen.add(e.value().getValue()));
    try {
      await(follower.start());
      assertThat(follower.caughtUp()).isTrue();
      assertThat(await(follower.check().map("up"))).isEqualTo("up");
      if (writeOneMore) {
        producer.send(new ProducerRecord<>(TOPIC.name(), 1, "k", StringValue.of("later").toByteArray())).get();
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!seen.contains("later") && System.nanoTime() < until) {
          Thread.sleep(20);
        }
      }
      return List.copyOf(seen);
    } finally {
      await(follower.close());
    }
  }

  @Test
  void fromTheBeginningEveryMessageButNoTombstone() throws Exception {
    assertThat(follow(StartAt.beginning(), false)).containsExactlyInAnyOrder(
        "2880m-p0", "2880m-p1", "180m-p0", "180m-p1", "1m-p0", "1m-p1");
  }

  @Test
  void fromALookbackOnlyWhatWasWrittenSince() throws Exception {
    assertThat(follow(StartAt.since(Duration.ofHours(24)), false)).containsExactlyInAnyOrder(
        "180m-p0", "180m-p1", "1m-p0", "1m-p1");
    assertThat(follow(StartAt.since(Duration.ofMinutes(10)), false)).containsExactlyInAnyOrder("1m-p0", "1m-p1");
  }

  @Test
  @Order(Integer.MAX_VALUE)  // it writes one more record
  void fromTheEndOnlyWhatComesAfterTheStart() throws Exception {
    assertThat(follow(StartAt.end(), true)).containsExactly("later");
  }
}
