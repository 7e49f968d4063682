package io.convnet.kit.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kit.launch.RunningService;
import io.convnet.kit.testing.Idle;
import io.convnet.kit.testing.TestServices;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaBrokerExtension.class)
class LauncherHttpTest {
  static RunningService service;

  @BeforeAll
  static void start() {
    service = TestServices.start(Idle.definition("http-probe", true), Map.of());
  }

  @AfterAll
  static void stop() {
    TestServices.stop(service);
  }

  @Test
  void liveAndReadyAnswer200WithTheirChecks() {
    assertThat(TestServices.get(service.httpPort(), "/health/live").statusCode()).isEqualTo(200);
    var ready = TestServices.get(service.httpPort(), "/health/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    JsonObject checks = new JsonObject(ready.body()).getJsonObject("checks");
    assertThat(checks.getMap()).containsEntry("kafka", "UP").containsEntry("topics", "UP").containsEntry("replies", "UP")
        .containsEntry("responders", "UP");
  }

  @Test
  void anUnknownRouteGetsAJsonError() {
    var response = TestServices.get(service.httpPort(), "/no/such/thing");
    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.headers().firstValue("content-type")).contains("application/json");
    JsonObject error = new JsonObject(response.body()).getJsonObject("error");
    assertThat(error.getInteger("status")).isEqualTo(404);
    assertThat(error.getString("code")).isEqualTo("NOT_FOUND");
    assertThat(error.getString("message")).contains("/no/such/thing");
  }

  @Test
  void metricsShowHttpRequestsByRouteAndStatusWithLatencyHistogramsJvmAndKafka() {
    TestServices.get(service.httpPort(), "/health/live");
    TestServices.get(service.httpPort(), "/health/live");
    var response = TestServices.get(service.httpPort(), "/metrics");
    assertThat(response.statusCode()).isEqualTo(200);
    String metrics = response.body();
    assertThat(metrics.lines().filter(l -> l.startsWith("vertx_http_server_requests_total{")
        && l.contains("route=\"/health/live\"") && l.contains("code=\"200\"") && l.contains("method=\"GET\"")))
        .as("HTTP request count by route, method and status").isNotEmpty();
    assertThat(metrics.lines().filter(l -> l.startsWith("vertx_http_server_response_time_seconds_bucket{")
        && l.contains("route=\"/health/live\"") && l.contains("le=")))
        .as("HTTP latency histogram").isNotEmpty();
    assertThat(metrics).contains("jvm_memory_used_bytes", "jvm_gc_", "jvm_threads_live_threads",
        "jvm_classes_loaded_classes", "system_cpu_count", "process_uptime_seconds");
    assertThat(metrics).contains("kafka_consumer_", "kafka_producer_", "kafka_admin_client_");
  }
}
