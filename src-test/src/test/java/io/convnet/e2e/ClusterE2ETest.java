package io.convnet.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.convnet.gateway.GatewayMain;
import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.proto.Topics;
import io.convnet.trainer.TrainerMain;
import io.convnet.visualizer.VisualizerMain;
import io.convnet.worker.InferenceWorkerMain;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.GroupState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/** The cluster as run.sh starts it: every service its own JVM, two inference workers. */
@ExtendWith(KafkaBrokerExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterE2ETest {
  static final Duration START = Duration.ofSeconds(120);
  static ServiceProcess gateway;
  static ServiceProcess trainer;
  static ServiceProcess worker1;
  static ServiceProcess worker2;
  static ServiceProcess visualizer;
  static Admin admin;

  @BeforeAll
  static void startCluster() throws Exception {
    Map<String, String> env = Map.of("CONVNET_REQUEST_TIMEOUT_MS", "5000", "CONVNET_SHUTDOWN_GRACE_MS", "5000");
    gateway = ServiceProcess.start(GatewayMain.class, "gateway-e2e", env);
    trainer = ServiceProcess.start(TrainerMain.class, "trainer-e2e", env);
    worker1 = ServiceProcess.start(InferenceWorkerMain.class, "inference-worker-e2e-1", env);
    worker2 = ServiceProcess.start(InferenceWorkerMain.class, "inference-worker-e2e-2", env);
    visualizer = ServiceProcess.start(VisualizerMain.class, "visualizer-e2e", env);
    for (ServiceProcess p : all()) {
      p.awaitReady(START);
    }
    admin = Admin.create(Map.of("bootstrap.servers", KafkaBrokerExtension.bootstrapServers()));
  }

  static List<ServiceProcess> all() {
    return List.of(gateway, trainer, worker1, worker2, visualizer);
  }

  @AfterAll
  static void stopCluster() {
    if (admin != null) {
      admin.close();
    }
    all().forEach(p -> {
      if (p != null) {
        p.close();
      }
    });
  }

  @Test
  @Order(1)
  void theClusterViewListsAllFiveInstances() throws Exception {
    JsonObject cluster = null;
    long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < until) {
      cluster = new JsonObject(gateway.get("/v1/cluster").body());
      if (cluster.getInteger("count") == 5) {
        break;
      }
      Thread.sleep(300);
    }
    var instances = cluster.getJsonArray("instances").stream().map(JsonObject.class::cast).toList();
    assertThat(instances).extracting(i -> i.getString("instanceId")).containsExactlyInAnyOrder(
        "gateway-e2e", "trainer-e2e", "inference-worker-e2e-1", "inference-worker-e2e-2", "visualizer-e2e");
    assertThat(instances).extracting(i -> i.getString("service")).containsOnly(
        "gateway", "trainer-service", "inference-worker", "visualizer-service");
    assertThat(instances).allSatisfy(i -> {
      assertThat(i.getString("version")).isNotBlank();
      assertThat(i.getLong("uptimeMs")).isPositive();
      assertThat(i.getBoolean("ready")).as(i.getString("instanceId") + " ready").isTrue();
    });
  }

  @Test
  @Order(2)
  void everyServiceIsReadyAndShowsHttpMetricsAfterARequest() throws Exception {
    for (ServiceProcess p : all()) {
      assertThat(p.get("/health/ready").statusCode()).as(p.instanceId).isEqualTo(200);
      String metrics = p.get("/metrics").body();
      assertThat(metrics.lines().filter(l -> l.startsWith("vertx_http_server_requests_total{")
          && l.contains("route=\"/health/ready\"") && l.contains("code=\"200\"")))
          .as(p.instanceId + " HTTP request metrics").isNotEmpty();
      assertThat(metrics).as(p.instanceId).contains("vertx_http_server_response_time_seconds_bucket{",
          "jvm_memory_used_bytes", "kafka_consumer_");
    }
  }

  @Test
  @Order(3)
  void aClassifyRequestTravelsToAWorkerAndItsHonestAnswerComesBack() throws Exception {
    HttpResponse<String> response = classify(HttpClient.newHttpClient());
    assertThat(response.statusCode()).isEqualTo(503);
    JsonObject error = new JsonObject(response.body()).getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("UNAVAILABLE");
    assertThat(error.getString("message")).contains("no model loaded on inference-worker-e2e-");
  }

  @Test
  @Order(4)
  void sigtermOnOneWorkerMovesAllPartitionsToTheOtherWithin2sAndLosesNoRequest() throws Exception {
    awaitGroup(2, Duration.ofSeconds(30));
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger sent = new AtomicInteger();
    Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
    Set<String> answeredBy = ConcurrentHashMap.newKeySet();
    int loops = 4;
    CountDownLatch done = new CountDownLatch(loops);
    for (int i = 0; i < loops; i++) {
      Thread loop = new Thread(() -> {
        try {
          while (running.get()) {
            sent.incrementAndGet();
            HttpResponse<String> r = classify(client);
            JsonObject error = new JsonObject(r.body()).getJsonObject("error");
            outcomes.computeIfAbsent(r.statusCode() + " " + error.getString("code"), k -> new AtomicInteger()).incrementAndGet();
            String message = error.getString("message");
            answeredBy.add(message.replaceAll(".*no model loaded on (\\S+).*", "$1"));
          }
        } catch (Exception e) {
          outcomes.computeIfAbsent("exception " + e, k -> new AtomicInteger()).incrementAndGet();
        } finally {
          done.countDown();
        }
      });
      loop.setDaemon(true);
      loop.start();
    }
    Thread.sleep(1500);

    long t0 = System.nanoTime();
    worker2.process.destroy();  // SIGTERM
    ConsumerGroupDescription group = awaitGroup(1, Duration.ofSeconds(10));
    long takeoverMs = (System.nanoTime() - t0) / 1_000_000;
    Thread.sleep(1500);
    running.set(false);
    done.await();
    int exit = worker2.process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) ? worker2.process.exitValue() : -1;

    System.out.printf("takeover %d ms, %d requests, outcomes %s, answered by %s%n", takeoverMs, sent.get(), outcomes, answeredBy);
    assertThat(takeoverMs).as("survivor owns all partitions").isLessThan(2000);
    assertThat(classifyMembers(group)).singleElement().satisfies(m -> {
      assertThat(m.clientId()).startsWith("inference-worker-e2e-1");
      assertThat(m.assignment().topicPartitions()).hasSize(Topics.CLASSIFY_REQUESTS.defaultPartitions());
    });
    assertThat(exit).as("exit status after SIGTERM").isZero();
    assertThat(answeredBy).contains("inference-worker-e2e-1", "inference-worker-e2e-2");
    // Every request got its worker's answer: none timed out, none failed otherwise.
    assertThat(outcomes).containsOnlyKeys("503 UNAVAILABLE");
    assertThat(outcomes.get("503 UNAVAILABLE").get()).isEqualTo(sent.get()).isGreaterThan(20);
  }

  @Test
  @Order(5)
  void everyOtherServiceStopsCleanlyOnSigterm() throws Exception {
    for (ServiceProcess p : List.of(gateway, trainer, worker1, visualizer)) {
      assertThat(p.terminate(Duration.ofSeconds(20))).as(p.instanceId + " exit status\n" + p.logTail()).isZero();
    }
  }

  static HttpResponse<String> classify(HttpClient client) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port + "/v1/models/cats-vs-dogs/classify"))
            .timeout(Duration.ofSeconds(20))
            .header("content-type", "image/jpeg")
            .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {(byte) 0xff, (byte) 0xd8, 1, 2})).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The classify consumers of the inference-worker group (each worker also has one for the models exchange). */
  static List<MemberDescription> classifyMembers(ConsumerGroupDescription group) {
    return group.members().stream().filter(m -> m.clientId().endsWith("-classify")).toList();
  }

  /** The inference-worker group, stable, with {@code members} classify consumers that own every classify partition. */
  static ConsumerGroupDescription awaitGroup(int members, Duration timeout) throws Exception {
    long until = System.nanoTime() + timeout.toNanos();
    ConsumerGroupDescription group = null;
    while (System.nanoTime() < until) {
      group = admin.describeConsumerGroups(List.of("inference-worker")).all().get().get("inference-worker");
      int owned = classifyMembers(group).stream().mapToInt(m -> m.assignment().topicPartitions().size()).sum();
      if (group.groupState() == GroupState.STABLE && classifyMembers(group).size() == members
          && owned == Topics.CLASSIFY_REQUESTS.defaultPartitions()) {
        return group;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("group never had " + members + " members owning all partitions: " + group
        + " members " + (group == null ? "" : group.members().stream().map(Object::toString).collect(Collectors.joining())));
  }
}
