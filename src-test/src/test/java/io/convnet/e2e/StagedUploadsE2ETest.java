package io.convnet.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.convnet.gateway.GatewayMain;
import io.convnet.image.TestImages;
import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kit.ServiceException;
import io.convnet.kit.config.Settings;
import io.convnet.kit.launch.RunningService;
import io.convnet.kit.testing.TestServices;
import io.convnet.proto.ClassifyRequest;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.Exchanges;
import io.convnet.proto.Image;
import io.convnet.proto.ModelRef;
import io.convnet.proto.Topics;
import io.convnet.testing.TinyBundles;
import io.convnet.visualizer.VisualizerMain;
import io.convnet.worker.InferenceWorkerMain;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Staged uploads with real parts: the broker, a worker and a visualizer in this JVM sharing an upload
 * folder with one gateway, and a second gateway without one. A phone photo crosses Kafka by name through
 * the first and inline through the second, with the same answer; the staged file is gone once the request
 * ends, however it ends; an upload name that tries to leave the folder is refused.
 */
@ExtendWith(KafkaBrokerExtension.class)
class StagedUploadsE2ETest {
  static final String SECRET = "password=hunter2";
  @TempDir
  static Path tmp;
  static Path uploads;
  static RunningService worker;
  static RunningService visualizer;
  static RunningService staging;
  static RunningService inline;
  static byte[] photo;

  @BeforeAll
  static void start() throws Exception {
    Path store = tmp.resolve("models");
    TinyBundles.untrained(store, "cats-vs-dogs");
    uploads = tmp.resolve("uploads");  // the gateway makes it
    photo = PhonePhotos.of("dog", PhonePhotos.TYPICAL);
    Map<String, String> shared = Map.of(Settings.MODEL_STORE.name(), store.toString(),
        Settings.UPLOAD_DIR.name(), uploads.toString(), "CONVNET_SCORE_ENABLED", "false");
    worker = TestServices.start(InferenceWorkerMain.DEFINITION, shared);
    visualizer = TestServices.start(VisualizerMain.DEFINITION, shared);
    staging = TestServices.start(GatewayMain.DEFINITION, Map.of(Settings.UPLOAD_DIR.name(), uploads.toString()));
    inline = TestServices.start(GatewayMain.DEFINITION, Map.of());
  }

  @AfterAll
  static void stop() {
    TestServices.stop(staging, inline, visualizer, worker);
  }

  static HttpResponse<String> post(RunningService gateway, String path, byte[] body) {
    return TestServices.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.httpPort() + path))
        .header("content-type", "image/jpeg").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
  }

  static double dog(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonObject(response.body()).getJsonArray("predictions").getJsonObject(0).getJsonArray("classes")
        .stream().map(JsonObject.class::cast).filter(c -> c.getString("label").equals("dog")).findFirst().orElseThrow()
        .getDouble("probability");
  }

  /** Staged files are deleted on a worker thread once the request ended: wait a little for it. */
  static void awaitNoStagedFiles() throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!staged().isEmpty() && System.nanoTime() < until) {
      Thread.sleep(20);
    }
    assertThat(staged()).isEmpty();
  }

  static List<Path> staged() throws Exception {
    try (Stream<Path> files = Files.list(uploads)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".img")).toList();
    }
  }

  @Test
  void aPhonePhotoCrossesKafkaByNameAndGetsTheSameAnswerAsInline() throws Exception {
    String bootstrap = KafkaBrokerExtension.bootstrapServers();
    try (KafkaConsumer<String, byte[]> requests = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap),
        new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> all = new ArrayList<>();
      requests.partitionsFor(Topics.CLASSIFY_REQUESTS.name())
          .forEach(p -> all.add(new TopicPartition(p.topic(), p.partition())));
      requests.assign(all);
      requests.seekToEnd(all);
      all.forEach(requests::position);

      double byName = dog(post(staging, "/v1/models/cats-vs-dogs:classify", photo));
      double byValue = dog(post(inline, "/v1/models/cats-vs-dogs:classify", photo));
      assertThat(byName).isCloseTo(byValue, within(1e-6));
      awaitNoStagedFiles();

      List<Image> sent = new ArrayList<>();  // this test's two requests (other tests' images are small)
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (sent.size() < 2 && System.nanoTime() < until) {
        for (ConsumerRecord<String, byte[]> r : requests.poll(Duration.ofMillis(200))) {
          ClassifyRequest request = ClassifyRequest.parseFrom(r.value());
          request.getImagesList().stream().filter(i -> i.hasUpload() || i.getData().size() == photo.length)
              .forEach(sent::add);
        }
      }
      assertThat(sent).hasSize(2);
      assertThat(sent).filteredOn(Image::hasUpload).singleElement()
          .satisfies(i -> assertThat(i.getUpload()).matches("gateway-\\d+-[0-9a-f-]{36}\\.img"));
      assertThat(sent).filteredOn(Image::hasData).singleElement()
          .satisfies(i -> assertThat(i.getData().size()).isEqualTo(photo.length));
    }
    assertThat(TestServices.get(staging.httpPort(), "/metrics").body()).contains("convnet_uploads_staged_total");
  }

  @Test
  void theStagedFileGoesWhateverTheAnswerAndVisualizationsTakeUploadsToo() throws Exception {
    HttpResponse<String> truncated = post(staging, "/v1/models/cats-vs-dogs:classify",
        Arrays.copyOf(photo, photo.length / 2));  // still over the 1 MiB threshold: staged
    assertThat(truncated.statusCode()).as(truncated.body()).isEqualTo(400);
    assertThat(truncated.body()).contains("truncated JPEG");
    awaitNoStagedFiles();

    HttpResponse<String> featureMaps = post(staging, "/v1/models/cats-vs-dogs/feature-maps", photo);
    assertThat(featureMaps.statusCode()).as(featureMaps.body()).isEqualTo(200);
    assertThat(featureMaps.headers().firstValue("content-type")).hasValue("image/png");
    awaitNoStagedFiles();
  }

  @Test
  void anUploadNameThatLeadsOutOfTheFolderIsRefused() throws Exception {
    Files.createDirectories(uploads);
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.write(outside.resolve("photo.jpg"), TestImages.jpeg(TestImages.gradient(40, 30)));
    Files.writeString(outside.resolve("secret.txt"), SECRET);
    Files.createSymbolicLink(uploads.resolve("link.img"), outside.resolve("photo.jpg"));
    Files.createSymbolicLink(uploads.resolve("secret.img"), outside.resolve("secret.txt"));
    Files.write(uploads.resolve("by-hand.img"), TestImages.jpeg(TestImages.gradient(40, 30)));
    for (String name : List.of("../outside/photo.jpg", "../outside/secret.txt", "/etc/passwd",
        outside.resolve("photo.jpg").toString(), "link.img", "secret.img", "missing.img")) {
      ServiceException e = TestServices.failure(classifyUpload(name));
      assertThat(e.code()).as(name).isEqualTo(ErrorCode.INVALID_ARGUMENT);
      assertThat(e.getMessage()).as(name).contains("upload '" + name + "'").doesNotContain(SECRET);
    }
    // a plain name in the folder is read: the refusals above are about the names, not the route
    assertThat(TestServices.await(classifyUpload("by-hand.img")).getPredictionsCount()).isEqualTo(1);
    Files.delete(uploads.resolve("link.img"));
    Files.delete(uploads.resolve("secret.img"));
    Files.delete(uploads.resolve("by-hand.img"));
  }

  static io.vertx.core.Future<io.convnet.proto.ClassifyReply> classifyUpload(String name) {
    return staging.kit().requester().request(Exchanges.CLASSIFY, ClassifyRequest.newBuilder()
        .setModel(ModelRef.newBuilder().setName("cats-vs-dogs"))
        .addImages(Image.newBuilder().setUpload(name)).build());
  }
}
