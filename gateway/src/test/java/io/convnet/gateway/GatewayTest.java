package io.convnet.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kit.config.Settings;
import io.convnet.kit.launch.RunningService;
import io.convnet.kit.testing.EchoWorker;
import io.convnet.kit.testing.TestServices;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaBrokerExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewayTest {
  static final int TIMEOUT_MS = 800;
  static RunningService gateway;
  static RunningService worker;

  @BeforeAll
  static void start() {
    gateway = TestServices.start(GatewayMain.DEFINITION, Map.of(
        Settings.REQUEST_TIMEOUT_MS.name(), String.valueOf(TIMEOUT_MS),
        Settings.MAX_IMAGE_BYTES.name(), "1000"));
  }

  @AfterAll
  static void stop() {
    TestServices.stop(gateway, worker);
  }

  static HttpResponse<String> classify(String model, byte[] image) {
    return TestServices.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + gateway.httpPort() + "/v1/models/" + model + "/classify"))
        .header("content-type", "image/jpeg")
        .POST(HttpRequest.BodyPublishers.ofByteArray(image)).build());
  }

  static JsonObject error(HttpResponse<String> response) {
    assertThat(response.headers().firstValue("content-type")).contains("application/json");
    return new JsonObject(response.body()).getJsonObject("error");
  }

  @Test
  @Order(1)
  void withNoWorkerUpAClassifyRequestEndsIn504WithinTheTimeout() {
    long t0 = System.nanoTime();
    var response = classify("cats-vs-dogs", new byte[] {1, 2, 3});
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(response.statusCode()).isEqualTo(504);
    assertThat(error(response).getString("code")).isEqualTo("DEADLINE_EXCEEDED");
    assertThat(error(response).getInteger("status")).isEqualTo(504);
    assertThat(ms).isBetween((long) TIMEOUT_MS - 50, TIMEOUT_MS + 1_500L);
  }

  @Test
  @Order(2)
  void badRequestsGetJsonErrors() {
    var empty = classify("cats-vs-dogs", new byte[0]);
    assertThat(empty.statusCode()).isEqualTo(400);
    assertThat(error(empty).getString("code")).isEqualTo("INVALID_ARGUMENT");

    var tooLarge = classify("cats-vs-dogs", new byte[5000]);
    assertThat(tooLarge.statusCode()).isEqualTo(413);
    assertThat(error(tooLarge).getString("code")).isEqualTo("PAYLOAD_TOO_LARGE");
  }

  @Test
  @Order(3)
  void withAWorkerUpTheReplyComesBackAsJson() {
    worker = TestServices.start(EchoWorker.definition("gw-echo-worker"), Map.of());
    var ok = classify("cats-vs-dogs", new byte[] {1, 2, 3});
    assertThat(ok.statusCode()).isEqualTo(200);
    JsonObject reply = new JsonObject(ok.body());
    assertThat(reply.getJsonArray("labels").getList()).containsExactly("cats-vs-dogs");
    assertThat(reply.getString("worker")).isEqualTo(worker.kit().instanceId());

    var notFound = classify("missing", new byte[] {1});
    assertThat(notFound.statusCode()).isEqualTo(404);
    assertThat(error(notFound).getString("message")).isEqualTo("model 'missing' is not served");
  }

  @Test
  @Order(4)
  void theClusterViewListsEveryInstanceThatAnswered() {
    var response = TestServices.get(gateway.httpPort(), "/v1/cluster");
    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject cluster = new JsonObject(response.body());
    var instances = cluster.getJsonArray("instances").stream().map(JsonObject.class::cast).toList();
    assertThat(instances).extracting(i -> i.getString("instanceId"))
        .contains(gateway.kit().instanceId(), worker.kit().instanceId());
    JsonObject self = instances.stream().filter(i -> i.getString("service").equals("gateway")).findFirst().orElseThrow();
    assertThat(self.getString("version")).isNotBlank();
    assertThat(self.getLong("uptimeMs")).isPositive();
    assertThat(cluster.getInteger("count")).isEqualTo(instances.size());

    String metrics = TestServices.get(gateway.httpPort(), "/metrics").body();
    assertThat(metrics).contains("route=\"/v1/cluster\"").contains("route=\"/v1/models/:model/classify\"");
    assertThat(metrics.lines().filter(l -> l.startsWith("convnet_requests_seconds_count{")
        && l.contains("exchange=\"classify\"") && l.contains("outcome=\"DEADLINE_EXCEEDED\""))).isNotEmpty();
  }
}
