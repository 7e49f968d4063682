package io.convnet.worker.score;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kit.config.Settings;
import io.convnet.kit.launch.RunningService;
import io.convnet.kit.testing.TestServices;
import io.convnet.proto.DeadLetter;
import io.convnet.proto.Headers;
import io.convnet.proto.Image;
import io.convnet.proto.ModelRef;
import io.convnet.proto.ScoreRequest;
import io.convnet.proto.ScoreResult;
import io.convnet.proto.Topics;
import io.convnet.worker.InferenceWorkerMain;
import io.convnet.worker.TestBundles;
import io.convnet.worker.config.WorkerSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Batch scoring in this JVM: every value format, bad records to the dead letters, one output per key. */
@ExtendWith(KafkaBrokerExtension.class)
class ScoreTest {
  static final int MAX_IMAGE_BYTES = 200_000;
  @TempDir
  static Path tmp;
  static Path data;
  static RunningService worker;

  @BeforeAll
  static void start() throws Exception {
    Path store = Files.createDirectories(tmp.resolve("models"));
    data = Files.createDirectories(tmp.resolve("data"));
    Files.write(data.resolve("cat.jpg"), TestBundles.jpeg(0, 4));
    TestBundles.publish(store, "cats-vs-dogs", 1);
    worker = TestServices.start(InferenceWorkerMain.DEFINITION, Map.of(
        Settings.MODEL_STORE.name(), store.toString(),
        Settings.DATA_ROOT.name(), data.toString(),
        Settings.MAX_IMAGE_BYTES.name(), Integer.toString(MAX_IMAGE_BYTES),
        WorkerSettings.MODEL_POLL_MS.name(), "0",
        WorkerSettings.SCORE_MAX_RECORDS.name(), "16"));
  }

  @AfterAll
  static void stop() {
    TestServices.stop(worker);
  }

  @Test
  void theScoreCommandWritesOneCsvRowPerImage() throws Exception {
    Path folder = Files.createDirectories(data.resolve("batch"));
    for (int i = 0; i < 6; i++) {
      Files.write(folder.resolve("img" + i + ".jpg"), TestBundles.jpeg(i % 2, i));
    }
    Files.write(folder.resolve("broken.jpg"), "this is not an image".getBytes(StandardCharsets.UTF_8));
    Files.createDirectories(folder.resolve("sub"));
    Files.write(folder.resolve("sub/deep.png"), io.convnet.image.TestImages.png(io.convnet.image.TestImages.stripes(20, 0, 1)));
    Path csv = tmp.resolve("out/results.csv");
    int exit = new picocli.CommandLine(new io.convnet.worker.cli.ScoreCommand()).execute("--folder", folder.toString(),
        "--recursive", "--by-reference", "--data-root", data.toString(), "--out", csv.toString(),
        "--bootstrap", KafkaBrokerExtension.bootstrapServers(), "--timeout", "60");
    assertThat(exit).isZero();
    List<String> lines = Files.readAllLines(csv);
    assertThat(lines.get(0)).isEqualTo("key,file,status,label,probability,p_cat,p_dog,model,version,error");
    assertThat(lines).hasSize(1 + 8);
    assertThat(lines.stream().filter(l -> l.contains(",ok,")).count()).isEqualTo(7);
    assertThat(lines.stream().filter(l -> l.contains("broken.jpg"))).singleElement().satisfies(l ->
        assertThat(l).contains("dead letter INVALID_ARGUMENT").contains("not a JPEG or PNG"));
    assertThat(lines.stream().filter(l -> l.contains("deep.png"))).singleElement().satisfies(l ->
        assertThat(l).contains(",ok,").contains(",cats-vs-dogs,1,"));
  }

  @Test
  void everyRecordGetsExactlyOneResultOrDeadLetterUnderItsKey() throws Exception {
    try (ScoreTopics topics = new ScoreTopics(KafkaBrokerExtension.bootstrapServers())) {
      String topic = Topics.SCORE_REQUESTS.name();
      Map<String, String> expected = new HashMap<>();  // key -> "result" or the dead letter's code
      List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
      BiConsumer<ProducerRecord<String, byte[]>, String> expect = (record, outcome) -> {
        records.add(record);
        expected.put(record.key(), outcome);
      };
      for (int i = 0; i < 40; i++) {
        ScoreRequest request = ScoreRequest.newBuilder().setModel(ModelRef.newBuilder().setName("cats-vs-dogs"))
            .setImage(Image.newBuilder().setData(ByteString.copyFrom(TestBundles.jpeg(i % 2, i)))).setId("id-" + i).build();
        expect.accept(new ProducerRecord<>(topic, i % 4, "proto-" + i, request.toByteArray()), "result");
      }
      RecordHeaders bare = new RecordHeaders();
      bare.add(Headers.MODEL, "cats-vs-dogs:1".getBytes(StandardCharsets.UTF_8));
      expect.accept(new ProducerRecord<>(topic, 0, "bare", TestBundles.jpeg(1, 1), bare), "result");
      expect.accept(new ProducerRecord<>(topic, 1, "json-ref", json("{\"reference\": \"cat.jpg\", \"id\": \"x\"}")),
          "result");
      expect.accept(new ProducerRecord<>(topic, 2, "json-b64", json("{\"model\": \"cats-vs-dogs\", \"image\": \""
          + Base64.getEncoder().encodeToString(TestBundles.jpeg(0, 2)) + "\"}")), "result");
      expect.accept(new ProducerRecord<>(topic, 3, "escape", json("{\"reference\": \"../models/cats-vs-dogs/1/manifest.json\"}")),
          "INVALID_ARGUMENT");
      expect.accept(new ProducerRecord<>(topic, 0, "garbage", "not protobuf \u0000\u0001".getBytes(StandardCharsets.UTF_8)),
          "INVALID_ARGUMENT");
      expect.accept(new ProducerRecord<>(topic, 1, "gif", "GIF89a.....".getBytes(StandardCharsets.UTF_8)),
          "INVALID_ARGUMENT");
      expect.accept(new ProducerRecord<>(topic, 2, "tombstone", null), "INVALID_ARGUMENT");
      expect.accept(new ProducerRecord<>(topic, 3, "unknown-model", ScoreRequest.newBuilder()
          .setModel(ModelRef.newBuilder().setName("horses"))
          .setImage(Image.newBuilder().setData(ByteString.copyFrom(TestBundles.jpeg(0, 0)))).build().toByteArray()),
          "NOT_FOUND");
      byte[] jpeg = TestBundles.jpeg(1, 7);
      expect.accept(new ProducerRecord<>(topic, 0, "truncated", java.util.Arrays.copyOf(jpeg, jpeg.length / 2)),
          "INVALID_ARGUMENT");
      // a record carries one image, and no more bytes than one image can need
      long maxValue = ScoreInput.maxValueBytes(MAX_IMAGE_BYTES);
      expect.accept(new ProducerRecord<>(topic, 1, "oversized", json("{\"image\": \"" + "A".repeat((int) maxValue) + "\"}")),
          "PAYLOAD_TOO_LARGE");
      expect.accept(new ProducerRecord<>(topic, 2, "two-images", json("{\"reference\": \"cat.jpg\", \"image\": \""
          + Base64.getEncoder().encodeToString(TestBundles.jpeg(0, 2)) + "\"}")), "INVALID_ARGUMENT");
      expect.accept(new ProducerRecord<>(topic, 3, "image-list", json("{\"images\": [\"cat.jpg\", \"cat.jpg\"]}")),
          "INVALID_ARGUMENT");
      // the gateway's staged uploads are its own requests' alone
      expect.accept(new ProducerRecord<>(topic, 0, "upload", ScoreRequest.newBuilder()
          .setImage(Image.newBuilder().setUpload("gateway-1-0b0e.img")).build().toByteArray()), "INVALID_ARGUMENT");
      records.forEach(topics::send);
      topics.flush();

      int outputs = topics.await(records.size(), Duration.ofSeconds(60), Duration.ofSeconds(1));
      assertThat(outputs).isEqualTo(records.size());
      Map<String, String> got = new HashMap<>();
      Map<Integer, List<Long>> offsetsByPartition = new HashMap<>();
      for (ConsumerRecord<String, byte[]> r : topics.results) {
        assertThat(got.put(r.key(), "result")).as("second output for " + r.key()).isNull();
        ScoreResult result = ScoreResult.parseFrom(r.value());
        assertThat(result.getLabelsList()).containsExactly("cat", "dog");
        assertThat(result.getModel()).isEqualTo(ModelRef.newBuilder().setName("cats-vs-dogs").setVersion(1).build());
        assertThat(result.getProbabilitiesList().stream().mapToDouble(Float::doubleValue).sum())
            .isCloseTo(1, org.assertj.core.data.Offset.offset(1e-4));
        assertThat(result.getSource().getTopic()).isEqualTo(topic);
        assertThat(r.partition()).isEqualTo(result.getSource().getPartition());
        assertThat(new String(r.headers().lastHeader(Headers.RESULT_LABEL).value(), StandardCharsets.UTF_8))
            .isEqualTo(result.getLabel());
        if (r.key().startsWith("proto-")) {
          assertThat(result.getId()).isEqualTo("id-" + r.key().substring(6));
        }
        offsetsByPartition.computeIfAbsent(r.partition(), p -> new ArrayList<>()).add(result.getSource().getOffset());
      }
      // per input partition, results keep the input order
      offsetsByPartition.values().forEach(list -> assertThat(list).isSorted());
      for (ConsumerRecord<String, byte[]> r : topics.deadLetters) {
        DeadLetter dl = DeadLetter.parseFrom(r.value());
        assertThat(got.put(r.key(), dl.getCode().name())).as("second output for " + r.key()).isNull();
        assertThat(new String(r.headers().lastHeader(Headers.DLQ_REASON).value(), StandardCharsets.UTF_8))
            .isEqualTo(dl.getReason()).isNotBlank();
        assertThat(r.headers().lastHeader(Headers.DLQ_EXCEPTION_CLASS)).isNotNull();
        assertThat(new String(r.headers().lastHeader(Headers.DLQ_SOURCE_TOPIC).value(), StandardCharsets.UTF_8))
            .isEqualTo(topic);
        assertThat(Long.parseLong(new String(r.headers().lastHeader(Headers.DLQ_SOURCE_OFFSET).value(),
            StandardCharsets.UTF_8))).isEqualTo(dl.getSource().getOffset());
      }
      assertThat(got).isEqualTo(expected);
      DeadLetter truncated = DeadLetter.parseFrom(topics.deadLetters.stream().filter(r -> r.key().equals("truncated"))
          .findFirst().orElseThrow().value());
      assertThat(truncated.getReason()).contains("truncated JPEG");
      assertThat(truncated.getExceptionClass()).isEqualTo("io.convnet.image.ImageDecodeException");
      assertThat(truncated.getOriginalValue().size()).isEqualTo(jpeg.length / 2);
      assertThat(reason(topics, "oversized")).isEqualTo("the record's value has " + (maxValue + 13)
          + " bytes, more than the limit of " + maxValue + " for one image of at most " + MAX_IMAGE_BYTES + " bytes");
      assertThat(reason(topics, "image-list")).contains("a score record carries one image");
      assertThat(reason(topics, "upload")).isEqualTo("a ScoreRequest may not name an upload; send the image as data "
          + "or a reference under the data root");
      assertThat(TestServices.get(worker.httpPort(), "/metrics").body()).contains(
          "convnet_score_records_total{outcome=\"dead_letter\"", "convnet_score_transactions_total{outcome=\"committed\"");
    }
  }

  private static String reason(ScoreTopics topics, String key) throws Exception {
    return DeadLetter.parseFrom(topics.deadLetters.stream().filter(r -> r.key().equals(key)).findFirst().orElseThrow()
        .value()).getReason();
  }

  private static byte[] json(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
