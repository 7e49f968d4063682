package io.convnet.bench;

import com.google.protobuf.ByteString;
import io.convnet.infer.Predictor;
import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kafka.local.LocalKafkaBroker;
import io.convnet.kit.launch.RunningService;
import io.convnet.proto.Image;
import io.convnet.proto.ModelRef;
import io.convnet.proto.ScoreRequest;
import io.convnet.proto.Topics;
import io.convnet.worker.InferenceWorkerMain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Kafka batch scoring of N real photos (default 2000) by one worker - exactly-once transactions,
 * results read read_committed - against the same bundle in process at batch 32 (decode,
 * preprocess, one TensorFlow call per 32), alternating rounds. Prints images/s and the ratio.
 *
 * <p>{@code ./bench-serving.sh score [images] [rounds]}.
 */
public final class ScoreBenchmark {
  private ScoreBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    int images = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    Path tmp = Files.createTempDirectory("score-bench");
    String external = System.getProperty(KafkaBrokerExtension.BOOTSTRAP_PROPERTY);
    LocalKafkaBroker broker = external == null ? LocalKafkaBroker.startEphemeral() : null;
    String bootstrap = external != null ? external : broker.bootstrapServers();
    Path store = BenchSetup.store(tmp);
    List<byte[]> photos = BenchSetup.photos(1000);
    RunningService worker = BenchSetup.start(InferenceWorkerMain.DEFINITION, bootstrap, Map.of(
        "CONVNET_MODEL_STORE", store.toString()));
    System.out.printf("%d cores, load average %.1f, %d images per round, %d rounds%n",
        Runtime.getRuntime().availableProcessors(), BenchSetup.loadAverage(), images, rounds);
    List<Double> kafka = new ArrayList<>();
    List<Double> inProcess = new ArrayList<>();
    try (Predictor predictor = Predictor.open(store.resolve("cats-vs-dogs/1"));
         var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", bootstrap, "linger.ms", 5,
             "max.request.size", 8 << 20), new StringSerializer(), new ByteArraySerializer());
         var consumer = new KafkaConsumer<>(Map.<String, Object>of("bootstrap.servers", bootstrap,
             "isolation.level", "read_committed"), new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> outputs = new ArrayList<>();
      for (String topic : List.of(Topics.SCORE_RESULTS.name(), Topics.SCORE_DEAD_LETTERS.name())) {
        consumer.partitionsFor(topic).forEach(p -> outputs.add(new TopicPartition(topic, p.partition())));
      }
      consumer.assign(outputs);
      consumer.seekToEnd(outputs);
      outputs.forEach(consumer::position);
      // warm-up: JIT, TF's first calls, the transaction coordinator
      BenchSetup.classifyInProcess(predictor, photos, 0, 32);
      score(producer, consumer, photos, 64, "warm-up");
      for (int r = 0; r < rounds; r++) {
        if (r % 2 == 0) {
          inProcess.add(inProcess(predictor, photos, images));
          kafka.add(score(producer, consumer, photos, images, "round" + r));
        } else {
          kafka.add(score(producer, consumer, photos, images, "round" + r));
          inProcess.add(inProcess(predictor, photos, images));
        }
        System.out.printf("round %d: Kafka %.1f images/s, in process batch 32 %.1f images/s (load average %.1f)%n",
            r + 1, kafka.get(r), inProcess.get(r), BenchSetup.loadAverage());
      }
    } finally {
      worker.close(Duration.ofSeconds(5)).toCompletionStage().toCompletableFuture().get();
      if (broker != null) {
        broker.close();
      }
      io.convnet.util.FileTrees.delete(tmp);
    }
    double k = kafka.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    double p = inProcess.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    System.out.printf("%n| images | Kafka scoring images/s | in-process batch 32 images/s | ratio |%n|---|---|---|---|%n");
    System.out.printf("| %d x %d rounds | %.1f | %.1f | %.2f (target >= 0.90) |%n", images, rounds, k, p, k / p);
    System.exit(0);
  }

  private static double inProcess(Predictor predictor, List<byte[]> photos, int images) {
    long t0 = System.nanoTime();
    for (int i = 0; i < images; i += 32) {
      BenchSetup.classifyInProcess(predictor, photos, i, Math.min(32, images - i));
    }
    return images / ((System.nanoTime() - t0) / 1e9);
  }

  /** Sends {@code images} score requests and waits for as many outputs: images/s from first send to last output. */
  private static double score(KafkaProducer<String, byte[]> producer, KafkaConsumer<String, byte[]> consumer,
                              List<byte[]> photos, int images, String prefix) {
    long t0 = System.nanoTime();
    for (int i = 0; i < images; i++) {
      ScoreRequest request = ScoreRequest.newBuilder().setModel(ModelRef.newBuilder().setName("cats-vs-dogs"))
          .setImage(Image.newBuilder().setData(ByteString.copyFrom(photos.get(i % photos.size())))).build();
      producer.send(new ProducerRecord<>(Topics.SCORE_REQUESTS.name(), prefix + "-" + i, request.toByteArray()));
    }
    producer.flush();
    int seen = 0;
    int deadLetters = 0;
    long until = System.nanoTime() + Duration.ofMinutes(30).toNanos();
    while (seen < images && System.nanoTime() < until) {
      for (var record : consumer.poll(Duration.ofMillis(200))) {
        if (record.key() != null && record.key().startsWith(prefix + "-")) {
          seen++;
          if (record.topic().equals(Topics.SCORE_DEAD_LETTERS.name())) {
            deadLetters++;
          }
        }
      }
    }
    if (seen < images || deadLetters > 0) {
      throw new IllegalStateException(prefix + ": " + seen + " of " + images + " outputs, " + deadLetters + " dead letters");
    }
    return images / ((System.nanoTime() - t0) / 1e9);
  }
}
