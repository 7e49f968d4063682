package io.convnet.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.convnet.gateway.GatewayMain;
import io.convnet.gateway.access.TestTokens;
import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.proto.ModelPublished;
import io.convnet.proto.Topics;
import io.convnet.testing.ImageFolders;
import io.convnet.trainer.TrainerMain;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training over HTTP, as run.sh runs it: the gateway and the trainer each in their own JVM,
 * real TensorFlow training on a tiny generated data set, followed over server-sent events.
 */
@ExtendWith(KafkaBrokerExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrainingE2ETest {
  static final Duration START = Duration.ofSeconds(120);
  static final Duration TRAINING = Duration.ofSeconds(180);
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  @TempDir
  static Path tmp;
  static Path store;
  static ServiceProcess gateway;
  static ServiceProcess trainer;
  /** Submitting and cancelling need a trainer's token. */
  static TestTokens tokens;

  @BeforeAll
  static void startCluster() throws Exception {
    Path data = Files.createDirectories(tmp.resolve("data"));
    ImageFolders.catsAndDogs(data.resolve("tiny"), 4, 32, 11);
    store = tmp.resolve("models");
    tokens = TestTokens.write(Files.createDirectories(tmp.resolve("tokens")));
    gateway = ServiceProcess.start(GatewayMain.class, "gateway-training-e2e", tokens.env());
    trainer = ServiceProcess.start(TrainerMain.class, "trainer-training-e2e", Map.of(
        "CONVNET_DATA_ROOT", data.toString(), "CONVNET_MODEL_STORE", store.toString(),
        "CONVNET_SHUTDOWN_GRACE_MS", "5000"));
    gateway.awaitReady(START);
    trainer.awaitReady(START);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    for (ServiceProcess p : new ServiceProcess[] {trainer, gateway}) {
      if (p != null) {
        p.terminate(Duration.ofSeconds(20));
        p.close();
      }
    }
  }

  static JsonObject post(String body) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri("/v1/training-jobs"))
        .header("content-type", "application/json").header("authorization", TestTokens.bearer(tokens.trainer()))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return new JsonObject(r.body());
  }

  static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + gateway.port + path);
  }

  /** The job's server-sent events, read until {@code stopAt} names one (or the stream ends). */
  static List<JsonObject> events(String id, String stopAt) throws Exception {
    HttpResponse<Stream<String>> r = HTTP.send(HttpRequest.newBuilder(uri("/v1/training-jobs/" + id + "/events"))
        .timeout(TRAINING).build(), HttpResponse.BodyHandlers.ofLines());
    assertThat(r.statusCode()).isEqualTo(200);
    List<JsonObject> events = new ArrayList<>();
    try (Stream<String> lines = r.body()) {
      String name = null;
      for (Iterator<String> it = lines.iterator(); it.hasNext(); ) {
        String line = it.next();
        if (line.startsWith("event: ")) {
          name = line.substring(7);
        } else if (line.startsWith("data: ")) {
          JsonObject data = new JsonObject(line.substring(6));
          assertThat(data.getString("type")).isEqualTo(name);
          events.add(data);
          if (name.equals(stopAt)) {
            break;
          }
        }
      }
    }
    return events;
  }

  static List<String> types(List<JsonObject> events) {
    return events.stream().map(e -> e.getString("type")).filter(t -> !t.equals("progress")).toList();
  }

  static JsonObject job(String id) throws Exception {
    return new JsonObject(gateway.get("/v1/training-jobs/" + id).body());
  }

  @Test
  @Order(1)
  void aJobPostedOverHttpStreamsItsEpochsAndPublishesItsModel() throws Exception {
    String id = post("{\"dataDir\": \"tiny\", \"model\": \"e2e-pets\", \"epochs\": 2, \"batchSize\": 4, "
        + "\"imageSize\": 32, \"augment\": false, \"optimizer\": \"adam\", \"learningRate\": 0.001}").getString("id");
    List<JsonObject> events = events(id, null);  // the stream ends after the job's last event

    assertThat(types(events)).containsExactly("submitted", "started", "epoch", "epoch", "published");
    assertThat(events).filteredOn(e -> e.getString("type").equals("epoch")).allSatisfy(e -> {
      assertThat(e.getDouble("loss")).isPositive();
      assertThat(e.getDouble("valAccuracy")).isBetween(0.0, 1.0);
      assertThat(e.getString("instance")).isEqualTo("trainer-training-e2e");
    });
    JsonObject published = events.get(events.size() - 1);
    assertThat(published.getString("path")).isEqualTo("e2e-pets/1");
    assertThat(store.resolve("e2e-pets/1/manifest.json")).exists();
    assertThat(store.resolve("e2e-pets/1/learning-curves.png")).exists();
    ModelPublished model = modelRecord("e2e-pets");
    assertThat(model.getJobId()).isEqualTo(id);
    assertThat(model.getPath()).isEqualTo("e2e-pets/1");

    JsonObject job = job(id);
    assertThat(job.getString("state")).isEqualTo("succeeded");
    assertThat(job.getJsonArray("history")).hasSize(2);
    assertThat(job.getJsonObject("model").getInteger("version")).isEqualTo(1);
  }

  @Test
  @Order(2)
  void aRunningJobIsCancelledOverHttp() throws Exception {
    String id = post("{\"dataDir\": \"tiny\", \"model\": \"e2e-cancelled\", \"epochs\": 5000, \"batchSize\": 4, "
        + "\"imageSize\": 32, \"augment\": false}").getString("id");
    assertThat(types(events(id, "epoch"))).contains("started", "epoch");
    HttpResponse<String> cancel = HTTP.send(HttpRequest.newBuilder(uri("/v1/training-jobs/" + id))
        .header("authorization", TestTokens.bearer(tokens.trainer())).DELETE().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(202);
    List<JsonObject> events = events(id, null);
    assertThat(events.get(events.size() - 1).getString("type")).isEqualTo("cancelled");
    assertThat(job(id).getString("state")).isEqualTo("cancelled");
    assertThat(store.resolve("e2e-cancelled")).satisfiesAnyOf(
        p -> assertThat(p).doesNotExist(), p -> assertThat(p.resolve("1")).doesNotExist());
  }

  @Test
  @Order(3)
  void aJobWithMissingDataFailsWithAClearMessage() throws Exception {
    String id = post("{\"dataDir\": \"no-such-folder\", \"epochs\": 1}").getString("id");
    List<JsonObject> events = events(id, null);
    assertThat(types(events)).containsExactly("submitted", "failed");
    assertThat(events.get(1).getJsonObject("error").getString("message"))
        .isEqualTo("data path 'no-such-folder' does not exist under the data root");
    JsonObject job = job(id);
    assertThat(job.getString("state")).isEqualTo("failed");
    assertThat(job.getJsonObject("error").getString("code")).isEqualTo("INVALID_ARGUMENT");
  }

  @Test
  @Order(4)
  void withoutATokenAJobIsRefusedAndTheAuditLogListsWhoStartedAndCancelledJobs() throws Exception {
    HttpResponse<String> refused = HTTP.send(HttpRequest.newBuilder(uri("/v1/training-jobs"))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"epochs\": 1}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(401);
    assertThat(refused.headers().firstValue("www-authenticate")).contains("Bearer realm=\"convnet\"");

    List<JsonObject> records = new ArrayList<>();
    long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (records.size() < 5 && System.nanoTime() < until) {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri("/v1/audit?limit=100"))
          .header("authorization", TestTokens.bearer(tokens.admin())).build(), HttpResponse.BodyHandlers.ofString());
      records.clear();
      if (r.statusCode() == 200) {  // this gateway's records: other tests' gateways share the broker's audit topic
        new JsonObject(r.body()).getJsonArray("records").stream().map(o -> (JsonObject) o)
            .filter(o -> "gateway-training-e2e".equals(o.getString("instance"))).forEach(records::add);
      }
      Thread.sleep(100);
    }
    // newest first: the refusal, then the three jobs and the cancel of the second, as the trainer token
    assertThat(records).extracting(r -> r.getString("method") + " " + r.getInteger("status") + " "
        + r.getString("subject")).containsExactly("POST 401 anonymous", "POST 201 trainer", "DELETE 202 trainer",
        "POST 201 trainer", "POST 201 trainer");
    assertThat(records.get(3).getJsonObject("details").getString("model")).isEqualTo("e2e-cancelled");
    assertThat(records.get(4).getJsonObject("details").getString("model")).isEqualTo("e2e-pets");
  }

  static ModelPublished modelRecord(String name) throws Exception {
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers",
        KafkaBrokerExtension.bootstrapServers()), new StringDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(Topics.MODELS.name(), 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (System.nanoTime() < until) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          if (name.equals(r.key())) {
            return ModelPublished.parseFrom(r.value());
          }
        }
      }
    }
    throw new AssertionError("no record for model " + name + " on " + Topics.MODELS.name());
  }
}
