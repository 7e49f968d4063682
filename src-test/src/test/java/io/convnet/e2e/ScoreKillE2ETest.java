package io.convnet.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.convnet.image.TestImages;
import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.proto.DeadLetter;
import io.convnet.proto.Image;
import io.convnet.proto.ModelRef;
import io.convnet.proto.ScoreRequest;
import io.convnet.proto.ScoreResult;
import io.convnet.proto.Topics;
import io.convnet.worker.InferenceWorkerMain;
import io.convnet.worker.score.ScoreLoop;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once batch scoring under a crash: two worker processes score 2000 records (some of
 * them bad), one is SIGKILLed in the middle, and still every input key has exactly one result
 * or dead letter, none twice (outputs read read_committed).
 */
@ExtendWith(KafkaBrokerExtension.class)
class ScoreKillE2ETest {
  static final int RECORDS = 2000;
  static final int BAD_EVERY = 50;

  @TempDir
  Path tmp;

  @Test
  void sigkillingOneOfTwoWorkersMidwayLosesAndDuplicatesNothing() throws Exception {
    Path store = TinyStore.catsVsDogs(tmp);
    Map<String, String> env = Map.of(
        "CONVNET_MODEL_STORE", store.toString(),
        "CONVNET_MODEL_POLL_MS", "0",
        "CONVNET_SCORE_MAX_RECORDS", "25",
        "CONVNET_SCORE_SESSION_TIMEOUT_MS", "6000",
        "CONVNET_SCORE_TRANSACTION_TIMEOUT_MS", "6000",
        "CONVNET_SHUTDOWN_GRACE_MS", "2000");
    String bootstrap = KafkaBrokerExtension.bootstrapServers();
    try (ServiceProcess survivor = ServiceProcess.start(InferenceWorkerMain.class, "score-worker-1", env);
         ServiceProcess victim = ServiceProcess.start(InferenceWorkerMain.class, "score-worker-2", env);
         Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      survivor.awaitReady(Duration.ofSeconds(120));
      victim.awaitReady(Duration.ofSeconds(120));
      awaitMembers(admin, 2);
      try (Outputs outputs = new Outputs(bootstrap)) {
        run(victim, outputs, bootstrap);
      }
    }
  }

  private void run(ServiceProcess victim, Outputs outputs, String bootstrap) throws Exception {
    List<byte[]> images = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      images.add(TestImages.jpeg(TestImages.stripes(24, i % 2, i)));
    }
    Set<String> bad = new HashSet<>();
    AtomicInteger sent = new AtomicInteger();
    Thread feeder = new Thread(() -> {
      try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", bootstrap, "linger.ms", 5),
          new StringSerializer(), new ByteArraySerializer())) {
        long start = System.nanoTime();
        for (int i = 0; i < RECORDS; i++) {
          String key = "k-" + i;
          byte[] value = i % BAD_EVERY == 7 ? ("not an image " + i).getBytes(StandardCharsets.UTF_8)
              : ScoreRequest.newBuilder().setModel(ModelRef.newBuilder().setName("cats-vs-dogs"))
                  .setImage(Image.newBuilder().setData(ByteString.copyFrom(images.get(i % images.size())))).build()
                  .toByteArray();
          producer.send(new ProducerRecord<>(Topics.SCORE_REQUESTS.name(), key, value));
          sent.incrementAndGet();
          // about 250 records a second, so that the kill lands while both workers are busy
          long due = start + i * 4_000_000L;
          long wait = due - System.nanoTime();
          if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "feeder");
    for (int i = 0; i < RECORDS; i++) {
      if (i % BAD_EVERY == 7) {
        bad.add("k-" + i);
      }
    }
    feeder.start();

    outputs.readUntil(() -> outputs.count() >= RECORDS * 2 / 5, Duration.ofSeconds(90));
    Set<String> victimScoredBeforeKill = outputs.scoredBy("score-worker-2");
    long t0 = System.nanoTime();
    victim.kill();
    int atKill = outputs.count();
    feeder.join();
    outputs.readUntil(() -> outputs.count() >= RECORDS, Duration.ofSeconds(120));
    long afterKillMs = (System.nanoTime() - t0) / 1_000_000;
    outputs.readUntil(() -> false, Duration.ofSeconds(3));  // anything written twice would show up now

    System.out.printf("sent %d, outputs at the kill %d, all %d outputs %d ms after the kill; "
            + "results %d, dead letters %d, duplicates %s%n", sent.get(), atKill, outputs.count(), afterKillMs,
        outputs.results.size(), outputs.deadLetters.size(), outputs.duplicates);
    assertThat(victimScoredBeforeKill).as("the killed worker had been scoring").isNotEmpty();
    assertThat(outputs.duplicates).as("keys with more than one output").isEmpty();
    Set<String> all = new HashSet<>(outputs.results.keySet());
    all.addAll(outputs.deadLetters.keySet());
    assertThat(all).hasSize(RECORDS);
    assertThat(outputs.deadLetters.keySet()).isEqualTo(bad);
    assertThat(outputs.results.keySet()).doesNotContainAnyElementsOf(bad);
    assertThat(outputs.deadLetters.values()).allSatisfy(dl -> {
      assertThat(dl.getCode().name()).isEqualTo("INVALID_ARGUMENT");
      assertThat(dl.getSource().getTopic()).isEqualTo(Topics.SCORE_REQUESTS.name());
    });
    assertThat(outputs.scoredBy("score-worker-1")).as("the survivor took over").isNotEmpty();
  }

  static void awaitMembers(Admin admin, int members) throws Exception {
    long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < until) {
      var group = admin.describeConsumerGroups(List.of(ScoreLoop.GROUP)).all().get().get(ScoreLoop.GROUP);
      int owned = group.members().stream().mapToInt(m -> m.assignment().topicPartitions().size()).sum();
      if (group.members().size() == members && owned == Topics.SCORE_REQUESTS.defaultPartitions()
          && group.members().stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty())) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the score group never had " + members + " members sharing the partitions");
  }

  /** Both output topics, read_committed, by key. */
  static final class Outputs implements AutoCloseable {
    final KafkaConsumer<String, byte[]> consumer;
    final Map<String, ScoreResult> results = new HashMap<>();
    final Map<String, DeadLetter> deadLetters = new HashMap<>();
    final Set<String> duplicates = new HashSet<>();

    Outputs(String bootstrap) {
      consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap, "isolation.level", "read_committed"),
          new StringDeserializer(), new ByteArrayDeserializer());
      List<TopicPartition> all = new ArrayList<>();
      for (String topic : List.of(Topics.SCORE_RESULTS.name(), Topics.SCORE_DEAD_LETTERS.name())) {
        consumer.partitionsFor(topic).forEach(p -> all.add(new TopicPartition(topic, p.partition())));
      }
      consumer.assign(all);
      consumer.seekToBeginning(all);
    }

    int count() {
      return results.size() + deadLetters.size() + duplicates.size();
    }

    Set<String> scoredBy(String worker) {
      Set<String> keys = new HashSet<>();
      results.forEach((k, r) -> {
        if (r.getWorker().equals(worker)) {
          keys.add(k);
        }
      });
      return keys;
    }

    void readUntil(java.util.function.BooleanSupplier done, Duration timeout) throws Exception {
      long until = System.nanoTime() + timeout.toNanos();
      while (!done.getAsBoolean() && System.nanoTime() < until) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          boolean first = !results.containsKey(r.key()) && !deadLetters.containsKey(r.key());
          if (!first) {
            duplicates.add(r.key());
          } else if (r.topic().equals(Topics.SCORE_RESULTS.name())) {
            results.put(r.key(), ScoreResult.parseFrom(r.value()));
          } else {
            deadLetters.put(r.key(), DeadLetter.parseFrom(r.value()));
          }
        }
      }
    }

    @Override
    public void close() {
      consumer.close();
    }
  }
}
