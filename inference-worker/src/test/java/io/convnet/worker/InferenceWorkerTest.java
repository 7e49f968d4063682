package io.convnet.worker;

import static io.convnet.kit.testing.TestServices.await;
import static io.convnet.kit.testing.TestServices.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.google.protobuf.ByteString;
import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kit.ServiceException;
import io.convnet.kit.config.Settings;
import io.convnet.kit.launch.RunningService;
import io.convnet.kit.testing.Idle;
import io.convnet.kit.testing.TestServices;
import io.convnet.proto.ClassifyReply;
import io.convnet.proto.ClassifyRequest;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.Exchanges;
import io.convnet.proto.FloatTensor;
import io.convnet.proto.Image;
import io.convnet.proto.ModelInfo;
import io.convnet.proto.ModelRef;
import io.convnet.proto.ModelVersionStatus;
import io.convnet.proto.ModelsRequest;
import io.convnet.proto.SignatureSpec;
import io.convnet.worker.config.WorkerSettings;
import io.vertx.core.Future;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A worker in this JVM over a store of tiny models, asked over Kafka as the gateway asks it. */
@ExtendWith(KafkaBrokerExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InferenceWorkerTest {
  static final int MAX_IMAGES = 16;

  @TempDir
  static Path tmp;
  static Path store;
  static RunningService worker;
  static RunningService asker;

  @BeforeAll
  static void start() throws Exception {
    store = Files.createDirectories(tmp.resolve("models"));
    Path data = Files.createDirectories(tmp.resolve("data"));
    Files.write(data.resolve("dog.jpg"), TestBundles.jpeg(1, 3));
    TestBundles.publish(store, "cats-vs-dogs", 1);
    worker = TestServices.start(InferenceWorkerMain.DEFINITION, Map.of(
        Settings.MODEL_STORE.name(), store.toString(),
        Settings.DATA_ROOT.name(), data.toString(),
        Settings.MAX_IMAGE_BYTES.name(), "100000",
        WorkerSettings.MODEL_POLL_MS.name(), "0",
        WorkerSettings.MAX_BATCH.name(), "8",
        WorkerSettings.MAX_BATCH_WAIT_MS.name(), "20",
        Settings.MAX_IMAGES_PER_REQUEST.name(), Integer.toString(MAX_IMAGES),
        WorkerSettings.SCORE_ENABLED.name(), "false"));
    asker = TestServices.start(Idle.definition("iw-asker", true), Map.of());
  }

  @AfterAll
  static void stop() {
    TestServices.stop(asker, worker);
  }

  static Future<ClassifyReply> classify(String model, long version, byte[]... images) {
    ClassifyRequest.Builder request = ClassifyRequest.newBuilder()
        .setModel(ModelRef.newBuilder().setName(model).setVersion(version));
    for (int i = 0; i < images.length; i++) {
      request.addImages(Image.newBuilder().setData(ByteString.copyFrom(images[i])).setName("img" + i + ".jpg"));
    }
    return asker.kit().requester().request(Exchanges.CLASSIFY, request.build());
  }


  @Test
  @Order(1)
  void answersWhatTheModelSaysInProcessWithLabelsVersionAndTiming() {
    assertThat(TestServices.get(worker.httpPort(), "/health/ready").statusCode()).isEqualTo(200);
    byte[] cat = TestBundles.jpeg(0, 1);
    byte[] dog = TestBundles.jpeg(1, 2);
    ClassifyReply reply = await(classify("cats-vs-dogs", 0, cat, dog));
    assertThat(reply.getModel().getVersion()).isEqualTo(1);
    assertThat(reply.getLabelsList()).containsExactly("cat", "dog");
    assertThat(reply.getWorker()).isEqualTo(worker.kit().instanceId());
    assertThat(reply.getPredictionsCount()).isEqualTo(2);
    float[] expected = TestBundles.inProcess(store.resolve("cats-vs-dogs/1"), dog);
    var p = reply.getPredictions(1);
    assertThat(p.getProbabilities(0)).isCloseTo(expected[0], within(1e-5f));
    assertThat(p.getProbabilities(1)).isCloseTo(expected[1], within(1e-5f));
    assertThat(p.getRanked(0).getProbability()).isGreaterThanOrEqualTo(p.getRanked(1).getProbability());
    assertThat(reply.getTiming().getBatchSize()).isBetween(1, 2);
    assertThat(reply.getTiming().getComputeMicros()).isPositive();
  }

  @Test
  @Order(2)
  void requestsArrivingTogetherShareTensorFlowCalls() {
    List<Future<ClassifyReply>> replies = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      replies.add(classify("cats-vs-dogs", 0, TestBundles.jpeg(i % 2, i)));
    }
    int maxBatch = replies.stream().mapToInt(f -> await(f).getTiming().getBatchSize()).max().orElseThrow();
    assertThat(maxBatch).isGreaterThan(1).isLessThanOrEqualTo(8);
    String metrics = TestServices.get(worker.httpPort(), "/metrics").body();
    double inferences = metric(metrics, "convnet_inference_inferences_total");
    double executions = metric(metrics, "convnet_inference_executions_total");
    assertThat(inferences).isGreaterThanOrEqualTo(26);
    assertThat(executions).isLessThan(inferences);
    assertThat(metrics).contains("convnet_inference_queue_seconds_count{", "convnet_inference_compute_seconds_count{",
        "convnet_inference_requests_total{");
  }

  @Test
  @Order(3)
  void badInputFailsOnlyItsOwnRequestWithTheReason() {
    ServiceException notAnImage = failure(classify("cats-vs-dogs", 0, "hello, this is text".getBytes()));
    assertThat(notAnImage.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(notAnImage.getMessage()).contains("image 0 ('img0.jpg')", "not a JPEG or PNG image");

    byte[] jpeg = TestBundles.jpeg(0, 5);
    ServiceException truncated = failure(classify("cats-vs-dogs", 0, jpeg, java.util.Arrays.copyOf(jpeg, jpeg.length / 2)));
    assertThat(truncated.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(truncated.getMessage()).contains("image 1", "truncated JPEG");

    ServiceException tooLarge = failure(classify("cats-vs-dogs", 0, new byte[200_000]));
    assertThat(tooLarge.code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);

    ServiceException none = failure(classify("cats-vs-dogs", 0));
    assertThat(none.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);

    ServiceException escape = failure(asker.kit().requester().request(Exchanges.CLASSIFY, ClassifyRequest.newBuilder()
        .setModel(ModelRef.newBuilder().setName("cats-vs-dogs"))
        .addImages(Image.newBuilder().setReference("../models/cats-vs-dogs/1/manifest.json")).build()));
    assertThat(escape.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(escape.getMessage()).contains("outside the data root");

    ClassifyReply byReference = await(asker.kit().requester().request(Exchanges.CLASSIFY, ClassifyRequest.newBuilder()
        .setModel(ModelRef.newBuilder().setName("cats-vs-dogs"))
        .addImages(Image.newBuilder().setReference("dog.jpg")).build()));
    assertThat(byReference.getPredictionsCount()).isEqualTo(1);

    // the worker still serves
    assertThat(await(classify("cats-vs-dogs", 0, jpeg)).getPredictionsCount()).isEqualTo(1);
  }

  static Future<ClassifyReply> classifyTensor(long[] shape, float[] values) {
    FloatTensor.Builder tensor = FloatTensor.newBuilder();
    for (long d : shape) {
      tensor.addShape(d);
    }
    for (float v : values) {
      tensor.addValues(v);
    }
    return asker.kit().requester().request(Exchanges.CLASSIFY, ClassifyRequest.newBuilder()
        .setModel(ModelRef.newBuilder().setName("cats-vs-dogs")).setTensor(tensor).build());
  }

  @Test
  @Order(3)
  void aPreprocessedFloatTensorGoesToTheModelAsItIsAndIsCheckedFirst() {
    int size = TestBundles.SIZE;
    byte[] cat = TestBundles.jpeg(0, 3);
    byte[] dog = TestBundles.jpeg(1, 4);
    float[] rows = new float[2 * size * size * 3];
    System.arraycopy(TestBundles.preprocessed(cat), 0, rows, 0, size * size * 3);
    System.arraycopy(TestBundles.preprocessed(dog), 0, rows, size * size * 3, size * size * 3);
    ClassifyReply reply = await(classifyTensor(new long[] {2, size, size, 3}, rows));
    float[] expected = TestBundles.inProcess(store.resolve("cats-vs-dogs/1"), dog);
    assertThat(reply.getPredictionsCount()).isEqualTo(2);
    assertThat(reply.getPredictions(1).getProbabilities(1)).isCloseTo(expected[1], within(1e-5f));
    ClassifyReply fromImages = await(classify("cats-vs-dogs", 0, cat));
    assertThat(reply.getPredictions(0).getProbabilities(0))
        .isCloseTo(fromImages.getPredictions(0).getProbabilities(0), within(1e-6f));

    ServiceException shape = failure(classifyTensor(new long[] {1, size, size, 1}, new float[size * size]));
    assertThat(shape.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(shape.getMessage()).contains("tensor shape [1, 16, 16, 1] is not the model's input [1, 16, 16, 3]");
    ServiceException count = failure(classifyTensor(new long[] {2, size, size, 3}, new float[size * size * 3]));
    assertThat(count.getMessage()).contains("has " + size * size * 3 + " values, not " + 2 * size * size * 3);
    float[] nan = new float[size * size * 3];
    nan[5] = Float.NaN;
    ServiceException notFinite = failure(classifyTensor(new long[] {1, size, size, 3}, nan));
    assertThat(notFinite.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(notFinite.getMessage()).contains("tensor row 0", "not finite", "[0, 1, 2]");
    ServiceException both = failure(asker.kit().requester().request(Exchanges.CLASSIFY, ClassifyRequest.newBuilder()
        .setModel(ModelRef.newBuilder().setName("cats-vs-dogs"))
        .addImages(Image.newBuilder().setData(ByteString.copyFrom(cat)))
        .setTensor(FloatTensor.newBuilder().addShape(1)).build()));
    assertThat(both.getMessage()).contains("both images and a tensor");
  }

  @Test
  @Order(4)
  void unknownModelsAndVersionsAreNotFound() {
    ServiceException model = failure(classify("horses", 0, TestBundles.jpeg(0, 1)));
    assertThat(model.code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(model.getMessage()).isEqualTo("model 'horses' is not served; known models: cats-vs-dogs");
    ServiceException version = failure(classify("cats-vs-dogs", 7, TestBundles.jpeg(0, 1)));
    assertThat(version.code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(version.getMessage()).contains("has no version 7", "[1]");
    ServiceException invalidName = failure(classify("../etc", 0, TestBundles.jpeg(0, 1)));
    assertThat(invalidName.code()).isEqualTo(ErrorCode.NOT_FOUND);
  }

  @Test
  @Order(5)
  void aNewVersionIsServedWithoutAFailedRequestAndOlderOnesStayReachable() throws Exception {
    byte[] image = TestBundles.jpeg(1, 9);
    List<Future<ClassifyReply>> during = new ArrayList<>();
    int v2 = TestBundles.publish(store, "cats-vs-dogs", 2);
    TestBundles.announce(asker.kit().config().bootstrapServers(), "cats-vs-dogs", v2);
    long until = System.nanoTime() + 20_000_000_000L;
    long served = 1;
    while (served != v2 && System.nanoTime() < until) {
      for (int i = 0; i < 4; i++) {
        during.add(classify("cats-vs-dogs", 0, image));
      }
      served = await(during.get(during.size() - 1)).getModel().getVersion();
    }
    assertThat(served).isEqualTo(v2);
    assertThat(during).allSatisfy(f -> assertThat(await(f).getPredictionsCount()).isEqualTo(1));

    ClassifyReply latest = await(classify("cats-vs-dogs", 0, image));
    float[] expected2 = TestBundles.inProcess(store.resolve("cats-vs-dogs/2"), image);
    assertThat(latest.getPredictions(0).getProbabilities(1)).isCloseTo(expected2[1], within(1e-5f));
    ClassifyReply old = await(classify("cats-vs-dogs", 1, image));
    assertThat(old.getModel().getVersion()).isEqualTo(1);
    float[] expected1 = TestBundles.inProcess(store.resolve("cats-vs-dogs/1"), image);
    assertThat(old.getPredictions(0).getProbabilities(1)).isCloseTo(expected1[1], within(1e-5f));

    var models = await(asker.kit().requester().request(Exchanges.MODELS, ModelsRequest.getDefaultInstance()));
    ModelInfo info = models.getModelsList().stream().filter(m -> m.getName().equals("cats-vs-dogs")).findFirst().orElseThrow();
    assertThat(info.getServedVersion()).isEqualTo(2);
    assertThat(info.getLabelsList()).containsExactly("cat", "dog");
    assertThat(info.getInputHeight()).isEqualTo(TestBundles.SIZE);
    assertThat(info.getVersionsList()).extracting(s -> s.getVersion() + " " + s.getState() + " " + s.getServed())
        .containsExactly("1 AVAILABLE false", "2 AVAILABLE true");
    // the manifest's signatures with their methods and types, as TF Serving's metadata shows them
    SignatureSpec bytes = info.getSignaturesList().stream().filter(s -> s.getKey().equals("serving_bytes")).findFirst()
        .orElseThrow();
    assertThat(bytes.getMethodName()).isEqualTo("tensorflow/serving/predict");
    assertThat(bytes.getInputs(0).getKey()).isEqualTo("image_bytes");
    assertThat(bytes.getInputs(0).getDtype()).isEqualTo("DT_STRING");
    assertThat(bytes.getInputs(0).getShapeList()).containsExactly(-1L);
    SignatureSpec floats = info.getSignaturesList().stream().filter(s -> s.getKey().equals("serving_default"))
        .findFirst().orElseThrow();
    assertThat(floats.getInputs(0).getShapeList()).containsExactly(-1L, (long) TestBundles.SIZE, (long) TestBundles.SIZE, 3L);
    assertThat(floats.getOutputs(0).getKey()).isEqualTo("probabilities");
    // a version asked for: its own manifest
    ModelInfo first = await(asker.kit().requester().request(Exchanges.MODELS,
        ModelsRequest.newBuilder().setName("cats-vs-dogs").setVersion(1).build())).getModels(0);
    assertThat(first.getVersionsList()).extracting(ModelVersionStatus::getVersion).containsExactly(1L);
    assertThat(first.getSignaturesList()).extracting(SignatureSpec::getKey).contains("serving_default", "serving_bytes");
    assertThat(failure(asker.kit().requester().request(Exchanges.MODELS,
        ModelsRequest.newBuilder().setName("horses").build())).code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(TestServices.get(worker.httpPort(), "/metrics").body())
        .contains("convnet_inference_requests_total{model=\"cats-vs-dogs\",service=\"inference-worker\",version=\"2\"}");
  }

  @Test
  @Order(6)
  void moreImagesThanTheLimitAreRefusedBeforeAnyIsDecoded() {
    double decodedBefore = metric(TestServices.get(worker.httpPort(), "/metrics").body(),
        "convnet_inference_decode_seconds_count");
    byte[][] notImages = new byte[MAX_IMAGES + 1][];
    java.util.Arrays.fill(notImages, "not an image: decoding it would fail".getBytes());
    ServiceException tooMany = failure(classify("cats-vs-dogs", 0, notImages));
    assertThat(tooMany.code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
    assertThat(tooMany.getMessage()).isEqualTo("the request has 17 images, more than the limit of 16 per request (CONVNET_MAX_IMAGES_PER_REQUEST); send them in several requests");
    assertThat(metric(TestServices.get(worker.httpPort(), "/metrics").body(), "convnet_inference_decode_seconds_count"))
        .isEqualTo(decodedBefore);

    byte[][] atTheLimit = new byte[MAX_IMAGES][];
    java.util.Arrays.fill(atTheLimit, TestBundles.jpeg(0, 3));
    assertThat(await(classify("cats-vs-dogs", 0, atTheLimit)).getPredictionsCount()).isEqualTo(MAX_IMAGES);
  }

  /**
   * Two requests on one partition: the first keeps the decode threads busy with large images, the
   * second's asker gives up after half a second. The second's images are never decoded nor computed,
   * whether its deadline passes while they wait for a decode thread (dropped there) or before the
   * worker polls it (skipped by the responder).
   */
  @Test
  @Order(7)
  void workForAnAskerThatStoppedWaitingIsDropped() throws Exception {
    java.awt.image.BufferedImage flat = new java.awt.image.BufferedImage(4800, 4800,
        java.awt.image.BufferedImage.TYPE_3BYTE_BGR);  // 23 megapixels in 70 KB of PNG: slow to decode, small to send
    byte[] large = io.convnet.image.TestImages.png(flat);
    ClassifyRequest.Builder request = ClassifyRequest.newBuilder().setModel(ModelRef.newBuilder().setName("cats-vs-dogs"));
    for (int i = 0; i < MAX_IMAGES; i++) {
      request.addImages(Image.newBuilder().setData(ByteString.copyFrom(large)));
    }
    String before = TestServices.get(worker.httpPort(), "/metrics").body();
    Future<ClassifyReply> first = asker.kit().requester().request(Exchanges.CLASSIFY, "same-partition", request.build(),
        java.time.Duration.ofSeconds(60));
    Future<ClassifyReply> second = asker.kit().requester().request(Exchanges.CLASSIFY, "same-partition", request.build(),
        java.time.Duration.ofMillis(500));
    assertThat(failure(second).code()).isEqualTo(ErrorCode.DEADLINE_EXCEEDED);
    assertThat(await(first).getPredictionsCount()).isEqualTo(MAX_IMAGES);
    String after = "";
    long until = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < until) {  // the worker's own ending of the second request: dropped or skipped
      after = TestServices.get(worker.httpPort(), "/metrics").body();
      if (dropped(after) + skipped(after) > dropped(before) + skipped(before)) {
        break;
      }
      Thread.sleep(100);
    }
    System.out.printf("second request: %s%n", dropped(after) > dropped(before)
        ? "dropped by the worker before decoding" : "skipped by the responder (expired before it was polled)");
    assertThat(dropped(after) + skipped(after)).isEqualTo(dropped(before) + skipped(before) + 1);
    assertThat(metric(after, "convnet_inference_decode_seconds_count")
        - metric(before, "convnet_inference_decode_seconds_count")).isEqualTo(MAX_IMAGES);
    assertThat(metric(after, "convnet_inference_inferences_total")
        - metric(before, "convnet_inference_inferences_total")).isEqualTo(MAX_IMAGES);
  }

  private static double dropped(String metrics) {
    return metrics.lines().filter(l -> l.startsWith("convnet_inference_failures_total{") && l.contains("DEADLINE_EXCEEDED"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  private static double skipped(String metrics) {
    return metrics.lines().filter(l -> l.startsWith("convnet_responder_records_skipped_total{")
            && l.contains("reason=\"expired\"") && l.contains("exchange=\"classify\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  static double metric(String metrics, String name) {
    return metrics.lines().filter(l -> l.startsWith(name + "{")).mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }
}
