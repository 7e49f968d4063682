package io.convnet.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kit.config.Settings;
import io.convnet.kit.launch.RunningService;
import io.convnet.kit.testing.TestServices;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/** The gateway's HTTP shapes and errors; a stand-in worker tells what arrived (the real worker: src-test). */
@ExtendWith(KafkaBrokerExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewayTest {
  /** Long enough that a loaded machine does not turn answers into timeouts. */
  static final int TIMEOUT_MS = 3000;
  static final byte[] JPEG = jpegLike(300);
  static RunningService gateway;
  static RunningService worker;

  @BeforeAll
  static void start() {
    gateway = TestServices.start(GatewayMain.DEFINITION, Map.of(
        Settings.REQUEST_TIMEOUT_MS.name(), String.valueOf(TIMEOUT_MS),
        Settings.STATUS_WINDOW_MS.name(), "2000",
        Settings.MAX_IMAGE_BYTES.name(), "1000",
        Settings.MAX_IMAGES_PER_REQUEST.name(), "4",
        Settings.MAX_MESSAGE_BYTES.name(), String.valueOf(64 * 1024 + 5000)));
  }

  @AfterAll
  static void stop() {
    TestServices.stop(gateway, worker);
  }

  static byte[] jpegLike(int size) {
    byte[] b = new byte[size];
    b[0] = (byte) 0xff;
    b[1] = (byte) 0xd8;
    b[2] = (byte) 0xff;
    return b;
  }

  /** The first bytes of an iPhone photo: an ISO media file of brand heic (ftyp box: size, type, brand, minor version). */
  static byte[] heic() {
    byte[] b = new byte[200];
    System.arraycopy(new byte[] {0, 0, 0, 24, 'f', 't', 'y', 'p', 'h', 'e', 'i', 'c', 0, 0, 0, 0, 'm', 'i', 'f', '1'},
        0, b, 0, 20);
    return b;
  }

  static HttpResponse<String> post(String path, String contentType, byte[] body) {
    return postTo(gateway.httpPort(), path, contentType, body);
  }

  static HttpResponse<String> postTo(int port, String path, String contentType, byte[] body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      b.header("content-type", contentType);
    }
    return TestServices.send(b.build());
  }

  static HttpResponse<String> get(String path) {
    return TestServices.get(gateway.httpPort(), path);
  }

  static JsonObject error(HttpResponse<String> response, int status, String code) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("content-type")).contains("application/json");
    assertThat(new JsonObject(response.body()).getValue("error")).as(response.body()).isInstanceOf(JsonObject.class);
    JsonObject error = new JsonObject(response.body()).getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo(code);
    assertThat(error.getString("message")).isNotBlank();
    return error;
  }

  /** The standard protocols' error body: {"error": "<message>"}. */
  static String specError(HttpResponse<String> response, int status) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("content-type")).contains("application/json");
    String message = new JsonObject(response.body()).getString("error");
    assertThat(message).isNotBlank();
    return message;
  }

  static byte[] multipart(String boundary, String... nameTypeAndSizes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < nameTypeAndSizes.length; i += 3) {
      String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"" + nameTypeAndSizes[i]
          + "\"\r\nContent-Type: " + nameTypeAndSizes[i + 1] + "\r\n\r\n";
      out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
      out.writeBytes(jpegLike(Integer.parseInt(nameTypeAndSizes[i + 2])));
      out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
    }
    out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  @Test
  @Order(1)
  void withNoWorkerUpAClassifyRequestEndsIn504WithinTheTimeout() {
    long t0 = System.nanoTime();
    var response = post("/v1/models/cats-vs-dogs:classify", "image/jpeg", JPEG);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(error(response, 504, "DEADLINE_EXCEEDED").getInteger("status")).isEqualTo(504);
    assertThat(ms).isBetween((long) TIMEOUT_MS - 50, TIMEOUT_MS + 5_000L);
    error(get("/v1/models"), 504, "DEADLINE_EXCEEDED");
    assertThat(get("/v2/health/live").statusCode()).isEqualTo(200);
    var ready = get("/v2/health/ready");
    assertThat(ready.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(ready.body()).getBoolean("ready")).isFalse();
  }

  @Test
  @Order(2)
  void badRequestsGetJsonErrorsBeforeAnyWorkerIsAsked() {
    error(post("/v1/models/cats-vs-dogs:classify", "image/jpeg", new byte[0]), 400, "INVALID_ARGUMENT");
    error(post("/v1/models/cats-vs-dogs:classify", "image/jpeg", new byte[5000]), 413, "PAYLOAD_TOO_LARGE");
    error(post("/v1/models/cats-vs-dogs:classify", "application/json", new byte[100_000]), 413, "PAYLOAD_TOO_LARGE");
    error(post("/v1/models/cats-vs-dogs:classify", "text/plain", "hello".getBytes()), 415, "UNSUPPORTED_MEDIA_TYPE");
    error(post("/v1/models/cats-vs-dogs:classify", "image/tiff", "II*\0tiff".getBytes()), 415, "UNSUPPORTED_MEDIA_TYPE");
    error(post("/v1/models/cats-vs-dogs:classify", null, "hello".getBytes()), 415, "UNSUPPORTED_MEDIA_TYPE");
    error(post("/v1/models/cats-vs-dogs:classify", "application/x-www-form-urlencoded", "<html></html>".getBytes()),
        415, "UNSUPPORTED_MEDIA_TYPE");
    error(post("/v1/models/cats-vs-dogs:classify", "application/json", "{\"images\": [\"not base64!\"]}".getBytes()),
        400, "INVALID_ARGUMENT");
    error(post("/v1/models/cats-vs-dogs:classify", "application/json", "[1, 2]".getBytes()), 400, "INVALID_ARGUMENT");
    error(post("/v1/models/cats-vs-dogs:classify", "application/json", "{\"pictures\": []}".getBytes()), 400,
        "INVALID_ARGUMENT");
    error(post("/v1/models/cats-vs-dogs:classify", "multipart/form-data; boundary=XyZ",
        multipart("XyZ", "big.jpg", "image/jpeg", "5000")), 413, "PAYLOAD_TOO_LARGE");
    error(post("/v1/models/cats-vs-dogs:classify", "multipart/form-data; boundary=XyZ",
        ("--XyZ\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\n"
            + "hello\r\n--XyZ--\r\n").getBytes()), 415, "UNSUPPORTED_MEDIA_TYPE");
    error(post("/v1/models/cats-vs-dogs:classify", "multipart/form-data; boundary=XyZ",
        "--XyZ\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nhello\r\n--XyZ--\r\n".getBytes()), 400, "INVALID_ARGUMENT");
    error(post("/v1/models/cats-vs-dogs/versions/x:classify", "image/jpeg", JPEG), 400, "INVALID_ARGUMENT");
    error(post("/v1/models/cats-vs-dogs:classify", "multipart/form-data", "garbage".getBytes()), 400, "INVALID_ARGUMENT");
    assertThat(specError(post("/v1/models/cats-vs-dogs:predict", "application/json",
        "{\"instances\": [[1, 2, 3]]}".getBytes()), 400)).contains("has shape [1, 3]", "[n, height, width, channels]");
    specError(post("/v1/models/cats-vs-dogs:predict", "image/jpeg", JPEG), 415);
    assertThat(specError(post("/v2/models/cats-vs-dogs/infer", "application/json",
        "{\"inputs\": [{\"name\": \"x\", \"shape\": [1], \"datatype\": \"FP32\", \"data\": [1.0]}]}".getBytes()),
        400)).contains("unexpected inference input 'x'");
    assertThat(specError(post("/v2/models/cats-vs-dogs/infer", "application/json",
        "{\"inputs\": [{\"name\": \"image\", \"shape\": [2], \"datatype\": \"BYTES\", \"data\": [\"AAAA\"]}]}"
            .getBytes()), 400)).contains("has 1 elements, not 2");
  }

  @Test
  @Order(3)
  void everyBodyShapeReachesTheWorkerAsImagesAndComesBackInItsRoutesShape() {
    worker = TestServices.start(ImageEchoWorker.definition(), Map.of());
    String b64 = Base64.getEncoder().encodeToString(jpegLike(200));

    JsonObject raw = new JsonObject(post("/v1/models/echo:classify", "image/jpeg", JPEG).body());
    assertThat(raw.getString("model")).isEqualTo("echo");
    assertThat(raw.getLong("version")).isEqualTo(3);
    assertThat(raw.getString("worker")).isEqualTo(worker.kit().instanceId());
    JsonObject p = raw.getJsonArray("predictions").getJsonObject(0);
    assertThat(p.getDouble("probability")).isEqualTo(0.3);
    assertThat(p.getJsonArray("classes").getJsonObject(0).getDouble("probability")).isEqualTo(0.3);
    assertThat(raw.getJsonObject("timing").getDouble("serverMs")).isPositive();
    assertThat(raw.getJsonObject("timing").fieldNames()).contains("queueMs", "computeMs", "decodeMs", "batchSize");

    JsonObject sniffed = new JsonObject(post("/v1/models/echo/versions/2/classify", null, JPEG).body());
    assertThat(sniffed.getLong("version")).isEqualTo(2);
    // what clients send by default (curl --data-binary: form-urlencoded) or by mistake: the bytes decide
    for (String type : new String[] {"application/x-www-form-urlencoded", "text/plain", "image/png", "image/heic"}) {
      var plain = post("/v1/models/echo:classify", type, JPEG);
      assertThat(plain.statusCode()).as(type + ": " + plain.body()).isEqualTo(200);
    }
    byte[] webp = new byte[64];
    System.arraycopy("RIFF\0\0\0\0WEBPVP8 ".getBytes(), 0, webp, 0, 16);
    byte[] gif = java.util.Arrays.copyOf("GIF89a".getBytes(), 50);
    assertThat(post("/v1/models/echo:classify", "application/x-www-form-urlencoded", webp).statusCode()).isEqualTo(200);
    assertThat(post("/v1/models/echo:classify", null, gif).statusCode()).isEqualTo(200);
    // a HEIC photo goes on too: the workers' decoder refuses it (415) saying how to convert it
    assertThat(post("/v1/models/echo:classify", "application/x-www-form-urlencoded", heic()).statusCode()).isEqualTo(200);
    JsonObject formJson = new JsonObject(post("/v1/models/echo:classify", "application/x-www-form-urlencoded",
        ("{\"images\": [\"" + b64 + "\"]}").getBytes()).body());
    assertThat(formJson.getJsonArray("predictions")).hasSize(1);
    JsonArray five = new JsonArray();
    for (int i = 0; i < 5; i++) {
      five.add(b64);
    }
    assertThat(error(post("/v1/models/echo:classify", "application/json", new JsonObject().put("images", five).encode()
        .getBytes()), 413, "PAYLOAD_TOO_LARGE").getString("message")).contains("5 images", "limit of 4",
        "CONVNET_MAX_IMAGES_PER_REQUEST");
    // the standard protocols: the same limit, in their error shape
    var tfFive = post("/v1/models/echo:predict", "application/json", new JsonObject().put("instances", new JsonArray(
        five.stream().map(b -> new JsonObject().put("b64", b)).toList())).encode().getBytes());
    assertThat(tfFive.statusCode()).isEqualTo(413);
    assertThat(new JsonObject(tfFive.body()).getString("error")).contains("5 images", "limit of 4");
    var v2Five = post("/v2/models/echo/infer", "application/json", new JsonObject().put("inputs", new JsonArray().add(
        new JsonObject().put("name", "image").put("shape", new JsonArray().add(5)).put("datatype", "BYTES")
            .put("data", five))).encode().getBytes());
    assertThat(v2Five.statusCode()).isEqualTo(413);
    assertThat(new JsonObject(v2Five.body()).getString("error")).contains("5 images", "limit of 4");

    var form = post("/v1/models/echo:classify", "multipart/form-data; boundary=XyZ",
        multipart("XyZ", "cat.jpg", "image/jpeg", "100", "dog.png", "application/octet-stream", "400"));
    assertThat(form.statusCode()).as(form.body()).isEqualTo(200);
    JsonArray predictions = new JsonObject(form.body()).getJsonArray("predictions");
    assertThat(predictions.stream().map(o -> ((JsonObject) o).getString("image"))).containsExactly("cat.jpg", "dog.png");
    assertThat(predictions.getJsonObject(1).getDouble("probability")).isEqualTo(0.4);

    JsonObject json = new JsonObject(post("/v1/models/echo:classify", "application/json", new JsonObject()
        .put("images", new JsonArray().add(b64).add(new JsonObject().put("b64", "data:image/jpeg;base64," + b64)
            .put("name", "x.jpg"))).encode().getBytes()).body());
    assertThat(json.getJsonArray("predictions").getJsonObject(1).getString("image")).isEqualTo("x.jpg");
    assertThat(json.getJsonArray("predictions").getJsonObject(0).getDouble("probability")).isEqualTo(0.2);

    JsonObject predict = new JsonObject(post("/v1/models/echo:predict", "application/x-www-form-urlencoded",
        ("{\"instances\": [{\"b64\": \"" + b64 + "\"}, {\"b64\": \"" + b64 + "\"}]}").getBytes()).body());
    assertThat(predict.getJsonArray("predictions").encode()).isEqualTo("[[0.2,0.8],[0.2,0.8]]");
    JsonObject named = new JsonObject(post("/v1/models/echo:predict", "application/json",
        ("{\"instances\": [{\"image\": {\"b64\": \"" + b64 + "\"}}]}").getBytes()).body());
    assertThat(named.getJsonArray("predictions").encode()).isEqualTo("[[0.2,0.8]]");
    JsonObject columnar = new JsonObject(post("/v1/models/echo/versions/1:predict", "application/json",
        ("{\"inputs\": {\"image\": [{\"b64\": \"" + b64 + "\"}]}}").getBytes()).body());
    assertThat(columnar.getJsonArray("outputs").encode()).isEqualTo("[[0.2,0.8]]");

    JsonObject infer = new JsonObject(post("/v2/models/echo/versions/2/infer", "application/json", new JsonObject()
        .put("id", "req-1").put("inputs", new JsonArray().add(new JsonObject().put("name", "image").put("shape",
            new JsonArray().add(1)).put("datatype", "BYTES").put("data", new JsonArray().add(b64)))).encode().getBytes()).body());
    assertThat(infer.getString("model_name")).isEqualTo("echo");
    assertThat(infer.getString("model_version")).isEqualTo("2");
    assertThat(infer.getString("id")).isEqualTo("req-1");
    assertThat(infer.getJsonArray("outputs").getJsonObject(0).encode())
        .isEqualTo("{\"name\":\"probabilities\",\"datatype\":\"FP32\",\"shape\":[1,2],\"data\":[0.2,0.8]}");

    error(post("/v1/models/missing:classify", "image/jpeg", JPEG), 404, "NOT_FOUND");
    specError(post("/v1/models/echo/versions/9:predict", "application/json",
        ("{\"instances\": [{\"b64\": \"" + b64 + "\"}]}").getBytes()), 404);
    var training = post("/v1/models/training:classify", "image/jpeg", JPEG);
    error(training, 503, "UNAVAILABLE");
    assertThat(training.headers().firstValue("retry-after")).contains("10");
  }

  @Test
  @Order(4)
  void modelStatusAndMetadataComeFromTheWorkers() {
    JsonObject models = new JsonObject(get("/v1/models").body());
    JsonObject echo = models.getJsonArray("models").getJsonObject(0);
    assertThat(echo.getString("name")).isEqualTo("echo");
    assertThat(echo.getLong("servedVersion")).isEqualTo(3);
    assertThat(echo.getJsonArray("versions")).hasSize(3);

    assertThat(new JsonObject(get("/v1/models/echo").body()).getJsonArray("model_version_status").encode()).isEqualTo(
        "[{\"version\":\"1\",\"state\":\"END\",\"status\":{\"error_code\":\"OK\",\"error_message\":\"\"}},"
            + "{\"version\":\"2\",\"state\":\"END\",\"status\":{\"error_code\":\"OK\",\"error_message\":\"\"}},"
            + "{\"version\":\"3\",\"state\":\"AVAILABLE\",\"status\":{\"error_code\":\"OK\",\"error_message\":\"\"}}]");
    assertThat(new JsonObject(get("/v1/models/echo/versions/3").body()).getJsonArray("model_version_status")).hasSize(1);
    specError(get("/v1/models/missing"), 404);

    JsonObject meta = new JsonObject(get("/v2/models/echo").body());
    assertThat(meta.getString("platform")).isEqualTo("tensorflow_savedmodel");
    assertThat(meta.getJsonArray("versions").encode()).isEqualTo("[\"1\",\"2\",\"3\"]");
    assertThat(meta.getJsonArray("inputs").getJsonObject(0).getString("datatype")).isEqualTo("BYTES");
    assertThat(meta.getJsonArray("outputs").getJsonObject(0).getJsonArray("shape").encode()).isEqualTo("[-1,2]");
    assertThat(get("/v2/models/echo/ready").statusCode()).isEqualTo(200);
    assertThat(get("/v2/models/echo/versions/2/ready").statusCode()).isEqualTo(200);
    specError(get("/v2/models/missing/ready"), 404);
    assertThat(get("/v2/health/ready").statusCode()).isEqualTo(200);
    assertThat(new JsonObject(get("/v2").body()).getString("name")).isEqualTo("convnet-cluster");
  }

  @Test
  @Order(5)
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
    assertThat(metrics).contains("route=\"/v1/cluster\"", "route=\"/v1/models/{name}[/versions/{v}|/labels/{l}]:classify\"",
        "route=\"/v2/models/{name}[/versions/{v}]/infer\"");
    assertThat(metrics.lines().filter(l -> l.startsWith("convnet_requests_seconds_count{")
        && l.contains("exchange=\"classify\"") && l.contains("outcome=\"DEADLINE_EXCEEDED\""))).isNotEmpty();
  }
}
