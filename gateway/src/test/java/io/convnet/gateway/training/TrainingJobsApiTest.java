package io.convnet.gateway.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.convnet.gateway.GatewayMain;
import io.convnet.gateway.access.TestTokens;
import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kit.config.Settings;
import io.convnet.kit.launch.RunningService;
import io.convnet.kit.testing.TestServices;
import io.convnet.proto.Error;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.Topics;
import io.convnet.proto.TrainControl;
import io.convnet.proto.TrainEvent;
import io.convnet.proto.TrainJob;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The gateway's training-job API against the real broker. The test plays the trainer's part
 * on the wire: it writes the events a trainer writes (the trainer-service and end-to-end
 * tests run real training), and reads what the gateway sends to the jobs and control topics.
 */
@ExtendWith(KafkaBrokerExtension.class)
class TrainingJobsApiTest {
  static final Duration WAIT = Duration.ofSeconds(20);
  static final int EPOCHS_FOR_A_SLOW_CLIENT = 25_000;
  static RunningService gateway;
  static KafkaProducer<String, byte[]> producer;
  /** Submitting and cancelling need a trainer's token. */
  static TestTokens tokens;

  @BeforeAll
  static void start() throws Exception {
    tokens = TestTokens.write(Files.createTempDirectory("training-api-tokens"));
    Map<String, String> env = new java.util.HashMap<>(tokens.env());
    env.put(Settings.SSE_HEARTBEAT_MS.name(), "200");
    gateway = TestServices.start(GatewayMain.DEFINITION, env);
    producer = new KafkaProducer<>(Map.of("bootstrap.servers", KafkaBrokerExtension.bootstrapServers()),
        new StringSerializer(), new ByteArraySerializer());
    long until = System.nanoTime() + WAIT.toNanos();
    while (TestServices.get(gateway.httpPort(), "/health/ready").statusCode() != 200) {
      assertThat(System.nanoTime()).as("gateway ready").isLessThan(until);
      Thread.sleep(50);
    }
  }

  @AfterAll
  static void stop() {
    producer.close();
    TestServices.stop(gateway);
  }

  static HttpResponse<String> post(String body) {
    return post(body, "application/json");
  }

  static HttpResponse<String> post(String body, String contentType) {
    return TestServices.send(HttpRequest.newBuilder(uri("/v1/training-jobs")).header("content-type", contentType)
        .header("authorization", TestTokens.bearer(tokens.trainer()))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  static HttpResponse<String> delete(String path) {
    return TestServices.send(HttpRequest.newBuilder(uri(path))
        .header("authorization", TestTokens.bearer(tokens.trainer())).DELETE().build());
  }

  static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + gateway.httpPort() + path);
  }

  static JsonObject json(HttpResponse<String> response) {
    assertThat(response.headers().firstValue("content-type")).contains("application/json");
    return new JsonObject(response.body());
  }

  static String error400(String body) {
    HttpResponse<String> r = post(body);
    assertThat(r.statusCode()).as(body + " -> " + r.body()).isEqualTo(400);
    JsonObject error = json(r).getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("INVALID_ARGUMENT");
    assertThat(error.getInteger("status")).isEqualTo(400);
    return error.getString("message");
  }

  static String submit(String body) {
    HttpResponse<String> r = post(body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return json(r).getString("id");
  }

  /** What a trainer would write for {@code jobId}. */
  static void emit(String jobId, TrainEvent.Builder event) throws Exception {
    TrainEvent e = event.setJobId(jobId).setTimestampMs(System.currentTimeMillis()).setInstance("trainer-test").build();
    producer.send(new ProducerRecord<>(Topics.TRAIN_EVENTS.name(), jobId, e.toByteArray())).get();
  }

  static TrainEvent.Builder epoch(int epoch, int epochs) {
    return TrainEvent.newBuilder().setEpoch(TrainEvent.EpochEnd.newBuilder().setEpoch(epoch).setEpochs(epochs)
        .setLoss(0.69 - epoch * 0.01).setAccuracy(0.5 + epoch * 0.01).setValLoss(0.7).setValAccuracy(0.55)
        .setSeconds(1.5).setBest(epoch == 1));
  }

  static TrainEvent.Builder started() {
    return TrainEvent.newBuilder().setStarted(TrainEvent.Started.newBuilder().setTrainImages(8)
        .setValidationImages(8).addLabels("cat").addLabels("dog").setEpochs(2).setBatchesPerEpoch(2)
        .setParameters(1234).setImageSize(32));
  }

  static JsonObject getJob(String id) {
    HttpResponse<String> r = TestServices.get(gateway.httpPort(), "/v1/training-jobs/" + id);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return json(r);
  }

  static JsonObject awaitState(String id, String state) throws InterruptedException {
    long until = System.nanoTime() + WAIT.toNanos();
    JsonObject job = getJob(id);
    while (!job.getString("state").equals(state) && System.nanoTime() < until) {
      Thread.sleep(20);
      job = getJob(id);
    }
    assertThat(job.getString("state")).as(job.encodePrettily()).isEqualTo(state);
    return job;
  }

  /** Records of {@code topic} with key {@code key}, read from the beginning for a few seconds at most. */
  static <T> List<byte[]> recordsOf(String topic, String key, int atLeast) {
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers",
        KafkaBrokerExtension.bootstrapServers()), new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> all = c.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition()))
          .toList();
      c.assign(all);
      c.seekToBeginning(all);
      List<byte[]> found = new CopyOnWriteArrayList<>();
      long until = System.nanoTime() + WAIT.toNanos();
      while (found.size() < atLeast && System.nanoTime() < until) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(100))) {
          if (key.equals(r.key())) {
            found.add(r.value());
          }
        }
      }
      return new ArrayList<>(found);
    }
  }

  @Test
  void badJobsAreRefusedWithEveryProblemNamed() {
    assertThat(error400("{\"epochz\": 3, \"foo\": 1}")).startsWith("unknown fields 'epochz', 'foo'; known: architecture, ");
    assertThat(error400("{\"architecture\": \"resnet\"}"))
        .isEqualTo("unknown architecture 'resnet'; known: tutorial-cnn, vgg16, vgg16-top");
    assertThat(error400("{\"model\": \"Bad Name\"}")).startsWith("invalid model name 'Bad Name'");
    assertThat(error400("{\"epochs\": 0}")).isEqualTo("epochs must be 1..10000, got 0");
    assertThat(error400("{\"epochs\": -5}")).isEqualTo("epochs must be 1..10000, got -5");
    assertThat(error400("{\"epochs\": 1e9}")).isEqualTo("epochs must be 1..10000, got 1000000000");
    assertThat(error400("{\"epochs\": 99999999999999999999999}")).startsWith("epochs is too large");
    assertThat(error400("{\"epochs\": 2.5}")).isEqualTo("epochs must be a whole number, got 2.5");
    assertThat(error400("{\"epochs\": \"ten\"}")).isEqualTo("epochs must be a whole number, got the string \"ten\"");
    assertThat(error400("{\"batchSize\": 0}")).isEqualTo("batchSize must be 1..1024, got 0");
    assertThat(error400("{\"batchSize\": 100000}")).isEqualTo("batchSize must be 1..1024, got 100000");
    assertThat(error400("{\"learningRate\": 0}")).isEqualTo("learningRate must be > 0 and <= 10, got 0.0");
    assertThat(error400("{\"learningRate\": -0.1}")).isEqualTo("learningRate must be > 0 and <= 10, got -0.1");
    assertThat(error400("{\"learningRate\": 1000}")).isEqualTo("learningRate must be > 0 and <= 10, got 1000.0");
    assertThat(error400("{\"learningRate\": \"fast\"}")).isEqualTo("learningRate must be a number, got the string \"fast\"");
    assertThat(error400("{\"optimizer\": \"adagrad\"}")).isEqualTo("unknown optimizer 'adagrad'; known: rmsprop, adam, sgd");
    assertThat(error400("{\"augment\": \"yes\"}")).isEqualTo("augment must be true or false, got the string \"yes\"");
    assertThat(error400("{\"imageSize\": 8}")).startsWith("imageSize must be 0 (the architecture's default) or 16..1024");
    assertThat(error400("{\"maxImagesPerClass\": -1}")).startsWith("maxImagesPerClass must be 0..");
    assertThat(error400("{\"patience\": -1}")).startsWith("patience must be 0..");
    assertThat(error400("{\"dataDir\": \"/etc\"}")).isEqualTo(
        "dataDir '/etc' is absolute; give a folder relative to the data root, e.g. 'cats-vs-dogs'");
    assertThat(error400("{\"dataDir\": \"C:\\\\data\"}")).startsWith("dataDir 'C:\\data' is absolute");
    assertThat(error400("{\"dataDir\": \"../secret\"}")).startsWith("dataDir '../secret' leaves the data root ('..'");
    assertThat(error400("{\"dataDir\": \"cats/../../secret\"}")).startsWith("dataDir 'cats/../../secret' leaves");
    assertThat(error400("{\"dataDir\": \"\"}")).startsWith("dataDir '' is empty");
    assertThat(error400("{\"dataDir\": 7}")).isEqualTo("dataDir must be a string, got 7");
    assertThat(error400("{\"transfer\": true}")).startsWith("transfer must be an object like {");
    assertThat(error400("{\"transfer\": {\"weight\": \"x.h5\"}}"))
        .startsWith("unknown field 'transfer.weight'; known in transfer: weights, freezeBase, ");
    assertThat(error400("{\"transfer\": {\"weights\": \"/etc/x.h5\", \"freezeBase\": true}}"))
        .startsWith("transfer.weights '/etc/x.h5' is absolute; give a Keras .h5 file relative to the data root");
    assertThat(error400("{\"transfer\": {\"weights\": \"../x.h5\", \"freezeBase\": true}}"))
        .startsWith("transfer.weights '../x.h5' leaves the data root");
    assertThat(error400("{\"transfer\": {\"freezeBase\": \"yes\"}}"))
        .isEqualTo("transfer.freezeBase must be true or false, got the string \"yes\"");
    assertThat(error400("{\"transfer\": {\"cacheBottleneck\": true}}"))
        .startsWith("transfer.cacheBottleneck needs transfer.freezeBase");
    assertThat(error400("{\"transfer\": {\"fineTuneEpochs\": 3}}")).startsWith("transfer.fineTuneEpochs needs "
        + "transfer.freezeBase");
    assertThat(error400("{\"transfer\": {\"freezeBase\": true, \"fineTuneEpochs\": -1}}"))
        .isEqualTo("transfer.fineTuneEpochs must be 0..10000, got -1");
    assertThat(error400("{\"transfer\": {\"freezeBase\": true, \"fineTuneEpochs\": 1, "
        + "\"fineTuneLearningRate\": 20}}")).startsWith("transfer.fineTuneLearningRate must be 0 (the default, 1.0E-5) or");
    assertThat(error400("{\"transfer\": {\"freezeBase\": true, \"fineTuneFrom\": \"block5_conv1\"}}"))
        .isEqualTo("transfer.fineTuneLearningRate and transfer.fineTuneFrom need transfer.fineTuneEpochs > 0");
    assertThat(error400("{\"transfer\": {\"freezeBase\": true, \"fineTuneEpochs\": 1, "
        + "\"fineTuneFrom\": \"block5 conv1\"}}")).startsWith("transfer.fineTuneFrom 'block5 conv1' is not a layer name");
    // Several at once: each named.
    assertThat(error400("{\"epochs\": 0, \"batchSize\": -1, \"dataDir\": \"../x\"}")).contains(
        "epochs must be 1..10000, got 0", "batchSize must be 1..1024, got -1", "dataDir '../x' leaves the data root");

    assertThat(error400("")).startsWith("send the job as a JSON object");
    assertThat(error400("{\"epochs\": ")).startsWith("the body is not valid JSON");
    assertThat(error400("[1, 2]")).isEqualTo("the body must be a JSON object, not an array");
    HttpResponse<String> text = post("epochs=2", "text/plain");
    assertThat(text.statusCode()).isEqualTo(415);
    assertThat(json(text).getJsonObject("error").getString("code")).isEqualTo("UNSUPPORTED_MEDIA_TYPE");
  }

  @Test
  void aTransferLearningJobCarriesItsOptionsToTheTrainer() throws Exception {
    JsonObject transfer = new JsonObject().put("weights", "imagenet/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5")
        .put("freezeBase", true).put("cacheBottleneck", true).put("fineTuneEpochs", 10)
        .put("fineTuneLearningRate", 1e-5).put("fineTuneFrom", "block5_conv1");
    HttpResponse<String> r = post(new JsonObject().put("architecture", "vgg16").put("imageSize", 150)
        .put("transfer", transfer).encode());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    JsonObject job = json(r);
    assertThat(job.getJsonObject("spec").getJsonObject("transfer")).isEqualTo(transfer);
    TrainJob queued = TrainJob.parseFrom(recordsOf(Topics.TRAIN_JOBS.name(), job.getString("id"), 1).get(0));
    assertThat(queued.getArchitecture()).isEqualTo("vgg16");
    assertThat(queued.getTransfer()).isEqualTo(io.convnet.proto.TransferLearning.newBuilder()
        .setWeights("imagenet/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5").setFreezeBase(true)
        .setCacheBottleneck(true).setFineTuneEpochs(10).setFineTuneLearningRate(1e-5).setFineTuneFrom("block5_conv1")
        .build());
    // defaults: a frozen base on random weights, no fine-tuning
    String id = submit("{\"architecture\": \"vgg16\", \"transfer\": {\"freezeBase\": true}}");
    TrainJob plain = TrainJob.parseFrom(recordsOf(Topics.TRAIN_JOBS.name(), id, 1).get(0));
    assertThat(plain.getTransfer().getFreezeBase()).isTrue();
    assertThat(plain.getTransfer().getWeights()).isEmpty();
    assertThat(plain.getTransfer().getFineTuneEpochs()).isZero();
  }

  @Test
  void aJobIsQueuedWithTheCommandLineDefaultsAndListed() throws Exception {
    HttpResponse<String> r = post("{\"dataDir\": \"pets/small\", \"epochs\": 2, \"optimizer\": \"Adam\"}");
    assertThat(r.statusCode()).isEqualTo(201);
    JsonObject job = json(r);
    String id = job.getString("id");
    assertThat(id).matches("[0-9a-z]{9}-[0-9a-z]{8}");
    assertThat(r.headers().firstValue("location")).contains("/v1/training-jobs/" + id);
    assertThat(job.getString("state")).isEqualTo("queued");
    assertThat(job.getJsonObject("spec")).isEqualTo(new JsonObject().put("architecture", "tutorial-cnn")
        .put("model", "cats-vs-dogs").put("dataDir", "pets/small").put("epochs", 2).put("batchSize", 32)
        .put("augment", true).put("optimizer", "adam").put("learningRate", 1e-4).put("seed", 1)
        .put("maxImagesPerClass", 0).put("imageSize", 0).put("patience", 0));
    assertThat(job.getJsonArray("history")).isEmpty();
    assertThat(job.getJsonObject("links").getString("events")).isEqualTo("/v1/training-jobs/" + id + "/events");

    // On the wire: Submitted (with the spec) on the events topic, the job on the jobs topic.
    TrainJob queued = TrainJob.parseFrom(recordsOf(Topics.TRAIN_JOBS.name(), id, 1).get(0));
    assertThat(queued.getJobId()).isEqualTo(id);
    assertThat(queued.getDataDir()).isEqualTo("pets/small");
    assertThat(queued.getLearningRate()).isEqualTo(1e-4);
    TrainEvent submitted = TrainEvent.parseFrom(recordsOf(Topics.TRAIN_EVENTS.name(), id, 1).get(0));
    assertThat(submitted.getSubmitted().getJob()).isEqualTo(queued);

    assertThat(getJob(id).getString("state")).isEqualTo("queued");
    String newer = submit("{}");
    JsonArray listed = json(TestServices.get(gateway.httpPort(), "/v1/training-jobs")).getJsonArray("jobs");
    List<String> ids = listed.stream().map(j -> ((JsonObject) j).getString("id")).toList();
    assertThat(ids).containsSubsequence(newer, id);
    assertThat(json(TestServices.get(gateway.httpPort(), "/v1/training-jobs?state=queued&limit=1"))
        .getJsonArray("jobs").getJsonObject(0).getString("id")).isEqualTo(newer);
    assertThat(json(TestServices.get(gateway.httpPort(), "/v1/training-jobs?state=succeeded")).getJsonArray("jobs")
        .stream().map(j -> ((JsonObject) j).getString("id"))).doesNotContain(id, newer);

    HttpResponse<String> badState = TestServices.get(gateway.httpPort(), "/v1/training-jobs?state=done");
    assertThat(badState.statusCode()).isEqualTo(400);
    assertThat(json(badState).getJsonObject("error").getString("message"))
        .isEqualTo("unknown state 'done'; known: queued, running, succeeded, failed, cancelled");
    assertThat(TestServices.get(gateway.httpPort(), "/v1/training-jobs?limit=0").statusCode()).isEqualTo(400);
    HttpResponse<String> unknown = TestServices.get(gateway.httpPort(), "/v1/training-jobs/nope");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(json(unknown).getJsonObject("error").getString("message")).isEqualTo("no training job 'nope'");
    assertThat(SseClient.open(gateway.httpPort(), "/v1/training-jobs/nope/events", Map.of()).status()).isEqualTo(404);
  }

  @Test
  void eventsStreamLiveAfterAReplayAndTheStreamEndsWithTheJob() throws Exception {
    String id = submit("{\"dataDir\": \"tiny\", \"epochs\": 2, \"model\": \"tiny-pets\"}");
    emit(id, started());
    emit(id, epoch(1, 2));
    awaitState(id, "running");

    try (SseClient sse = SseClient.open(gateway.httpPort(), "/v1/training-jobs/" + id + "/events", Map.of())) {
      assertThat(sse.status()).isEqualTo(200);
      assertThat(sse.response.headers().firstValue("content-type")).hasValueSatisfying(
          v -> assertThat(v).startsWith("text/event-stream"));
      sse.await(e -> e.name().equals("epoch"), WAIT);
      assertThat(sse.names()).containsExactly("submitted", "started", "epoch");
      assertThat(sse.events.get(0).data().getJsonObject("job").getString("dataDir")).isEqualTo("tiny");

      emit(id, TrainEvent.newBuilder().setProgress(TrainEvent.BatchProgress.newBuilder().setEpoch(2).setBatch(1)
          .setBatches(2).setLoss(0.6).setAccuracy(0.75).setImagesPerSecond(40)));
      emit(id, epoch(2, 2));
      emit(id, TrainEvent.newBuilder().setPublished(TrainEvent.Published.newBuilder().setModel("tiny-pets")
          .setVersion(3).setPath("tiny-pets/3").setValLoss(0.7).setValAccuracy(0.55).setBestEpoch(1).setEpochsRun(2)));
      assertThat(sse.awaitEnd(WAIT)).as("the stream ends after the job's last event").isTrue();
      assertThat(sse.names()).containsExactly("submitted", "started", "epoch", "progress", "epoch", "published");
      assertThat(sse.events).extracting(SseClient.Event::id).isSorted().doesNotHaveDuplicates();
      JsonObject epoch2 = sse.events.get(4).data();
      assertThat(epoch2.getString("type")).isEqualTo("epoch");
      assertThat(epoch2.getString("jobId")).isEqualTo(id);
      assertThat(epoch2.getInteger("epoch")).isEqualTo(2);
      assertThat(epoch2.getInteger("epochs")).isEqualTo(2);
      assertThat(epoch2.getDouble("valAccuracy")).isEqualTo(0.55);
      assertThat(epoch2.fieldNames()).contains("loss", "accuracy", "valLoss", "seconds", "best", "timestampMs",
          "instance");
      assertThat(sse.events.get(3).data().getDouble("imagesPerSecond")).isEqualTo(40.0);
      assertThat(sse.events.get(5).data().getString("path")).isEqualTo("tiny-pets/3");

      // A client reconnecting with the id of the last event it saw gets only what came after.
      long afterFirstEpoch = sse.events.get(2).id();
      try (SseClient again = SseClient.open(gateway.httpPort(), "/v1/training-jobs/" + id + "/events",
          Map.of("last-event-id", String.valueOf(afterFirstEpoch)))) {
        assertThat(again.awaitEnd(WAIT)).isTrue();
        assertThat(again.names()).containsExactly("epoch", "published");
      }
      // One that saw the ending is told to stop reconnecting.
      try (SseClient done = SseClient.open(gateway.httpPort(), "/v1/training-jobs/" + id + "/events",
          Map.of("last-event-id", String.valueOf(sse.events.get(5).id())))) {
        assertThat(done.status()).isEqualTo(204);
      }
    }
    JsonObject job = awaitState(id, "succeeded");
    assertThat(job.getInteger("epochsCompleted")).isEqualTo(2);
    assertThat(job.getJsonArray("history").stream().map(e -> ((JsonObject) e).getInteger("epoch")).toList())
        .containsExactly(1, 2);
    assertThat(job.getJsonObject("model").getInteger("version")).isEqualTo(3);
    assertThat(job.getJsonObject("data").getJsonArray("labels").getList()).containsExactly("cat", "dog");
    assertThat(job.getString("instance")).isEqualTo("trainer-test");
    assertThat(job.getLong("endedMs")).isGreaterThanOrEqualTo(job.getLong("startedMs"));

    HttpResponse<String> conflict = delete("/v1/training-jobs/" + id);
    assertThat(conflict.statusCode()).isEqualTo(409);
    assertThat(json(conflict).getJsonObject("error").getString("message"))
        .isEqualTo("training job '" + id + "' has already ended (succeeded); nothing to cancel");
  }

  @Test
  void aFailedJobShowsItsErrorInGetAndInItsEvents() throws Exception {
    String id = submit("{\"dataDir\": \"one-class\"}");
    emit(id, TrainEvent.newBuilder().setFailed(TrainEvent.Failed.newBuilder().setError(Error.newBuilder()
        .setCode(ErrorCode.INVALID_ARGUMENT).setMessage("data folder one-class/train has only one class sub-folder"))));
    JsonObject job = awaitState(id, "failed");
    assertThat(job.getJsonObject("error")).isEqualTo(new JsonObject().put("code", "INVALID_ARGUMENT")
        .put("message", "data folder one-class/train has only one class sub-folder"));
    try (SseClient sse = SseClient.open(gateway.httpPort(), "/v1/training-jobs/" + id + "/events", Map.of())) {
      assertThat(sse.awaitEnd(WAIT)).isTrue();
      assertThat(sse.names()).containsExactly("submitted", "failed");
      assertThat(sse.events.get(1).data().getJsonObject("error").getString("message")).contains("only one class");
    }
    assertThat(json(TestServices.get(gateway.httpPort(), "/v1/training-jobs?state=failed")).getJsonArray("jobs")
        .stream().map(j -> ((JsonObject) j).getString("id"))).contains(id);
  }

  @Test
  void cancellingSendsAControlMessageAndTheJobEndsCancelled() throws Exception {
    String id = submit("{}");
    try (SseClient sse = SseClient.open(gateway.httpPort(), "/v1/training-jobs/" + id + "/events", Map.of())) {
      HttpResponse<String> accepted = delete("/v1/training-jobs/" + id);
      assertThat(accepted.statusCode()).isEqualTo(202);
      assertThat(json(accepted).getBoolean("cancelRequested")).isTrue();
      TrainControl control = TrainControl.parseFrom(recordsOf(Topics.TRAIN_CONTROL.name(), id, 1).get(0));
      assertThat(control.getJobId()).isEqualTo(id);
      assertThat(control.getAction()).isEqualTo(TrainControl.Action.CANCEL);
      assertThat(getJob(id).getBoolean("cancelRequested")).isTrue();
      assertThat(delete("/v1/training-jobs/" + id).statusCode()).as("cancelling again").isEqualTo(202);

      emit(id, TrainEvent.newBuilder().setCancelled(TrainEvent.Cancelled.newBuilder().setEpoch(0)));
      assertThat(sse.awaitEnd(WAIT)).isTrue();
      assertThat(sse.names()).containsExactly("submitted", "cancelled");
    }
    JsonObject job = awaitState(id, "cancelled");
    assertThat(job.getInteger("cancelledAtEpoch")).isZero();
    assertThat(job.containsKey("cancelRequested")).isFalse();
    assertThat(delete("/v1/training-jobs/" + id).statusCode()).isEqualTo(409);
    assertThat(delete("/v1/training-jobs/unknown-job").statusCode()).isEqualTo(404);
  }

  @Test
  void aQuietStreamSendsHeartbeatsAndIsCleanedUpWhenTheClientGoes() throws Exception {
    String id = submit("{}");
    SseClient sse = SseClient.open(gateway.httpPort(), "/v1/training-jobs/" + id + "/events", Map.of());
    sse.await(e -> e.name().equals("submitted"), WAIT);
    long until = System.nanoTime() + WAIT.toNanos();
    while (sse.comments.stream().noneMatch("heartbeat"::equals) && System.nanoTime() < until) {
      Thread.sleep(20);
    }
    assertThat(sse.comments).contains("heartbeat");
    assertThat(streams()).isGreaterThanOrEqualTo(1);
    sse.close();
    until = System.nanoTime() + WAIT.toNanos();
    while (streams() > 0 && System.nanoTime() < until) {
      Thread.sleep(50);
    }
    assertThat(streams()).as("open event streams after the client left").isZero();
  }

  @Test
  void aClientThatDoesNotReadIsCutOffInsteadOfGrowingTheGatewaysMemory() throws Exception {
    String id = submit("{}");
    emit(id, started());
    try (Socket slow = new Socket()) {
      slow.setReceiveBufferSize(2048);
      slow.connect(new InetSocketAddress("127.0.0.1", gateway.httpPort()));
      slow.getOutputStream().write(("GET /v1/training-jobs/" + id + "/events HTTP/1.1\r\nHost: localhost\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      slow.getOutputStream().flush();
      long until = System.nanoTime() + WAIT.toNanos();
      while (streams() < 1 && System.nanoTime() < until) {
        Thread.sleep(20);
      }
      assertThat(streams()).isEqualTo(1);
      // More than the socket buffers (4 MB here) and the stream's write queue hold: about 6 MB of events.
      int epochs = EPOCHS_FOR_A_SLOW_CLIENT;
      for (int e = 1; e <= epochs; e++) {
        TrainEvent event = epoch(e, epochs).setJobId(id).setTimestampMs(System.currentTimeMillis())
            .setInstance("trainer-test").build();
        producer.send(new ProducerRecord<>(Topics.TRAIN_EVENTS.name(), id, event.toByteArray()));
      }
      producer.flush();
      until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (streams() > 0 && System.nanoTime() < until) {
        Thread.sleep(50);
      }
      assertThat(streams()).as("the slow client's stream was closed").isZero();
    }
    // The job itself is unaffected.
    long until = System.nanoTime() + WAIT.toNanos();
    while (newest(id).getInteger("epochsCompleted") < EPOCHS_FOR_A_SLOW_CLIENT && System.nanoTime() < until) {
      Thread.sleep(50);
    }
    assertThat(newest(id).getInteger("epochsCompleted")).isEqualTo(EPOCHS_FOR_A_SLOW_CLIENT);
  }

  /** The job from the list (no history: cheap however many epochs it has). */
  static JsonObject newest(String id) {
    JsonObject job = json(TestServices.get(gateway.httpPort(), "/v1/training-jobs?limit=1")).getJsonArray("jobs")
        .getJsonObject(0);
    assertThat(job.getString("id")).isEqualTo(id);
    return job;
  }

  /** Open event streams, from the gateway's own metrics. */
  static double streams() {
    return TestServices.get(gateway.httpPort(), "/metrics").body().lines()
        .filter(l -> l.startsWith("convnet_training_event_streams{")).mapToDouble(l -> Double.parseDouble(
            l.substring(l.lastIndexOf(' ') + 1))).sum();
  }
}
