package io.convnet.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kit.config.Settings;
import io.convnet.kit.launch.RunningService;
import io.convnet.kit.testing.TestServices;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a request body may cost the gateway: {@code Expect: 100-continue} answered at once (or
 * refused before the upload), bodies bounded in total (503 with Retry-After), stalled bodies
 * closed, early answers (a 413, a 401) that reach the client instead of a reset, and close the
 * connection of a body that was not read. Image limit 100,000 bytes,
 * largest body 200,000, budget 500,000.
 */
@ExtendWith(KafkaBrokerExtension.class)
class UploadLimitsTest {
  static final String CLASSIFY = "/v1/models/echo:classify";
  static final int BUDGET = 500_000;
  static RunningService gateway;
  static RunningService worker;

  @BeforeAll
  static void start() {
    gateway = TestServices.start(GatewayMain.DEFINITION, Map.of(
        Settings.MAX_IMAGE_BYTES.name(), "100000",
        Settings.MAX_MESSAGE_BYTES.name(), String.valueOf(64 * 1024 + 200_000),
        "CONVNET_MAX_INFLIGHT_BODY_BYTES", String.valueOf(BUDGET),
        "CONVNET_HTTP_BODY_TIMEOUT_MS", "1000"));
    worker = TestServices.start(ImageEchoWorker.definition(), Map.of());
  }

  @AfterAll
  static void stop() {
    TestServices.stop(gateway, worker);
  }

  static RawHttp connect() {
    return new RawHttp(gateway.httpPort());
  }

  static double metric(String name) {
    return TestServices.get(gateway.httpPort(), "/metrics").body().lines()
        .filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  @Test
  void expectContinueIsAnsweredAtOnceWhenTheBodyFitsAndRefusedBeforeTheUploadWhenItDoesNot() {
    byte[] jpeg = GatewayTest.jpegLike(50_000);
    try (RawHttp c = connect()) {
      long t0 = System.nanoTime();
      String interim = c.head(CLASSIFY, "application/x-www-form-urlencoded", jpeg.length, "Expect: 100-continue\r\n")
          .readHead(900);
      assertThat(interim).startsWith("HTTP/1.1 100 Continue");
      assertThat((System.nanoTime() - t0) / 1_000_000).as("ms until 100 Continue").isLessThan(900);
      String head = c.send(jpeg).readHead(5000);
      assertThat(head).startsWith("HTTP/1.1 200");
      assertThat(new JsonObject(c.readBody(head)).getJsonArray("predictions")).hasSize(1);
    }
    // over the image limit (the type says image): 413 instead of 100, and the connection closed
    try (RawHttp c = connect()) {
      String head = c.head(CLASSIFY, "image/jpeg", 150_000, "Expect: 100-continue\r\n").readHead(900);
      assertThat(head).startsWith("HTTP/1.1 413").containsIgnoringCase("connection: close");
      assertThat(c.readBody(head)).contains("PAYLOAD_TOO_LARGE", "150000");
      assertThat(c.closedWithin(5000)).isTrue();
    }
    // over the largest body of any route: the gate says so before any route reads
    try (RawHttp c = connect()) {
      String head = c.head("/v1/models/echo/feature-maps", "image/jpeg", 300_000, "Expect: 100-continue\r\n")
          .readHead(900);
      assertThat(head).startsWith("HTTP/1.1 413");
      assertThat(c.closedWithin(5000)).isTrue();
    }
    assertThat(metric("convnet_request_bodies_refused_total")).isGreaterThanOrEqualTo(1);
  }

  @Test
  void aCallWithoutTheTokenItNeedsIsRefusedBeforeTheUploadAndItsConnectionClosed() {
    try (RawHttp c = connect()) {
      String head = c.head("/v1/training-jobs", "application/json", 50_000, "Expect: 100-continue\r\n").readHead(5000);
      assertThat(head).startsWith("HTTP/1.1 401").containsIgnoringCase("connection: close");
      assertThat(c.readBody(head)).contains("UNAUTHENTICATED");
      assertThat(c.closedWithin(5000)).isTrue();
    }
  }

  @Test
  void anEarlyAnswerReachesAClientThatSendsItsWholeBodyAnyway() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    for (int size : new int[] {150_000, 3_000_000}) {  // over the image limit; over every route's limit
      HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
              + gateway.httpPort() + CLASSIFY)).header("content-type", "image/jpeg")
          .POST(HttpRequest.BodyPublishers.ofByteArray(GatewayTest.jpegLike(size))).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(413);
      assertThat(new JsonObject(response.body()).getJsonObject("error").getString("code")).isEqualTo("PAYLOAD_TOO_LARGE");
    }
  }

  @Test
  void bodiesAreBoundedInTotalAndAStalledOneIsClosed() throws Exception {
    List<RawHttp> holding = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {  // 3 x 150,000 announced and half sent: 450,000 of 500,000 held
        RawHttp c = connect().head(CLASSIFY, "application/json", 150_000, "");
        c.send(new byte[1000]);
        holding.add(c);
      }
      Thread.sleep(200);
      assertThat(metric("convnet_request_body_bytes_held")).isEqualTo(450_000);
      try (RawHttp c = connect()) {
        String head = c.head(CLASSIFY, "image/jpeg", 60_000, "Expect: 100-continue\r\n").readHead(900);
        assertThat(head).startsWith("HTTP/1.1 503").containsIgnoringCase("retry-after: 2");
        assertThat(c.readBody(head)).contains("BUSY", "CONVNET_MAX_INFLIGHT_BODY_BYTES");
      }
      // small requests still fit beside them
      assertThat(GatewayTest.postTo(gateway.httpPort(), CLASSIFY, "image/jpeg", GatewayTest.jpegLike(300)).statusCode())
          .isEqualTo(200);
      // the three stall: 408 within the body timeout (1 s), connections closed, budget given back
      for (RawHttp c : holding) {
        String head = c.readHead(4000);
        assertThat(head).startsWith("HTTP/1.1 408");
        assertThat(c.readBody(head)).contains("CONVNET_HTTP_BODY_TIMEOUT_MS");
        assertThat(c.closedWithin(3000)).isTrue();
      }
      Thread.sleep(200);
      assertThat(metric("convnet_request_body_bytes_held")).isZero();
    } finally {
      holding.forEach(RawHttp::close);
    }
  }

  @Test
  void aBodyWithoutALengthCountsAsTheLargestAndStillWorks() {
    try (RawHttp c = connect()) {
      c.send(("POST " + CLASSIFY + " HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nTransfer-Encoding: chunked\r\n"
          + "\r\n").getBytes());
      byte[] jpeg = GatewayTest.jpegLike(500);
      c.send((Integer.toHexString(jpeg.length) + "\r\n").getBytes()).send(jpeg).send("\r\n0\r\n\r\n".getBytes());
      String head = c.readHead(5000);
      assertThat(head).startsWith("HTTP/1.1 200");
      assertThat(new JsonObject(c.readBody(head)).getJsonArray("predictions").getJsonObject(0).getDouble("probability"))
          .isEqualTo(0.5);
    }
  }
}
