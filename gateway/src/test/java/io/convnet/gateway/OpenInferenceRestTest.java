package io.convnet.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kit.launch.RunningService;
import io.convnet.kit.testing.TestServices;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Open Inference Protocol's REST binding with bodies as KServe's and Triton's documents write
 * them (JSON inference requests, the binary tensor data extension's request and response), and
 * Triton's statistics and repository index, against the stand-in worker (image bytes answer
 * (size / 1000, 1 - that), a float tensor's rows (first value, 1 - that); labels big, small).
 */
@ExtendWith(KafkaBrokerExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpenInferenceRestTest {
  static RunningService gateway;
  static RunningService worker;
  static final byte[] IMAGE = GatewayTest.jpegLike(200);

  @BeforeAll
  static void start() {
    worker = TestServices.start(ImageEchoWorker.definition(), Map.of());
    gateway = TestServices.start(GatewayMain.DEFINITION, Map.of());
  }

  @AfterAll
  static void stop() {
    TestServices.stop(gateway, worker);
  }

  static HttpResponse<byte[]> send(String path, Map<String, String> headers, byte[] body) {
    return TestServices.post(gateway.httpPort(), path, headers, body);
  }

  static JsonObject infer(String path, JsonObject request) {
    var response = send(path, Map.of("content-type", "application/json"), request.toBuffer().getBytes());
    assertThat(response.statusCode()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    return new JsonObject(new String(response.body(), StandardCharsets.UTF_8));
  }

  static String error(HttpResponse<byte[]> response, int status) {
    String body = new String(response.body(), StandardCharsets.UTF_8);
    assertThat(response.statusCode()).as(body).isEqualTo(status);
    assertThat(new JsonObject(body).fieldNames()).containsExactly("error");
    return new JsonObject(body).getString("error");
  }

  /** {@code count} values {@code first, 0, 0, ...} (the stand-in answers the first). */
  static float[] rows(int n, int size, float... firsts) {
    float[] v = new float[n * size];
    for (int i = 0; i < n; i++) {
      v[i * size] = firsts[i];
    }
    return v;
  }

  @Test
  @Order(1)
  void jsonRequestsOfBytesAndFp32InputsAnswerTheOutputsAskedFor() {
    JsonObject bytes = infer("/v2/models/echo/infer", new JsonObject("{\"id\": \"42\", \"inputs\": [{\"name\": \"image\", "
        + "\"shape\": [1], \"datatype\": \"BYTES\", \"data\": [\"" + Base64.getEncoder().encodeToString(IMAGE) + "\"]}]}"));
    assertThat(bytes.getString("id")).isEqualTo("42");
    assertThat(bytes.getString("model_name")).isEqualTo("echo");
    assertThat(bytes.getString("model_version")).isEqualTo("3");
    assertThat(bytes.getJsonArray("outputs").encode()).isEqualTo("[{\"name\":\"probabilities\",\"datatype\":\"FP32\","
        + "\"shape\":[1,2],\"data\":[0.2,0.8]},{\"name\":\"label\",\"datatype\":\"BYTES\",\"shape\":[1],\"data\":[\"image[0]\"]}]");

    JsonArray data = new JsonArray();
    for (float f : rows(2, 12, 0.25f, 0.5f)) {
      data.add(f);
    }
    JsonObject fp32 = infer("/v2/models/echo/versions/2/infer", new JsonObject()
        .put("inputs", new JsonArray().add(new JsonObject().put("name", "input").put("shape", new JsonArray("[2, 2, 2, 3]"))
            .put("datatype", "FP32").put("data", data)))
        .put("outputs", new JsonArray().add(new JsonObject().put("name", "probabilities"))));
    assertThat(fp32.getString("model_version")).isEqualTo("2");
    assertThat(fp32.getJsonArray("outputs").encode())
        .isEqualTo("[{\"name\":\"probabilities\",\"datatype\":\"FP32\",\"shape\":[2,2],\"data\":[0.25,0.75,0.5,0.5]}]");

    // Triton's classification extension: the top k as "<score>:<index>:<label>"
    JsonObject top = infer("/v2/models/echo/infer", new JsonObject("{\"inputs\": [{\"name\": \"image\", \"shape\": [1], "
        + "\"datatype\": \"BYTES\", \"data\": [\"" + Base64.getEncoder().encodeToString(IMAGE) + "\"]}], "
        + "\"outputs\": [{\"name\": \"probabilities\", \"parameters\": {\"classification\": 1}}]}"));
    assertThat(top.getJsonArray("outputs").getJsonObject(0).encode())
        .isEqualTo("{\"name\":\"probabilities\",\"datatype\":\"BYTES\",\"shape\":[1,1],\"data\":[\"0.8:1:small\"]}");
  }

  @Test
  @Order(2)
  void theBinaryTensorDataExtensionWorksBothWays() {
    // as the extension's example: JSON header, then the tensors in input order, sizes in binary_data_size
    ByteBuffer images = ByteBuffer.allocate(2 * (4 + IMAGE.length)).order(ByteOrder.LITTLE_ENDIAN);
    images.putInt(IMAGE.length).put(IMAGE).putInt(IMAGE.length).put(IMAGE);
    String header = "{\"inputs\": [{\"name\": \"image\", \"shape\": [2], \"datatype\": \"BYTES\", "
        + "\"parameters\": {\"binary_data_size\": " + images.capacity() + "}}], "
        + "\"outputs\": [{\"name\": \"probabilities\", \"parameters\": {\"binary_data\": true}}, {\"name\": \"label\"}]}";
    var response = send("/v2/models/echo/infer", Map.of("content-type", "application/octet-stream",
        "inference-header-content-length", Integer.toString(header.getBytes(StandardCharsets.UTF_8).length)),
        concat(header.getBytes(StandardCharsets.UTF_8), images.array()));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).contains("application/octet-stream");
    int jsonLength = Integer.parseInt(response.headers().firstValue("inference-header-content-length").orElseThrow());
    JsonObject json = new JsonObject(new String(response.body(), 0, jsonLength, StandardCharsets.UTF_8));
    JsonObject probabilities = json.getJsonArray("outputs").getJsonObject(0);
    assertThat(probabilities.containsKey("data")).isFalse();
    assertThat(probabilities.getJsonObject("parameters").getInteger("binary_data_size")).isEqualTo(16);
    assertThat(json.getJsonArray("outputs").getJsonObject(1).getJsonArray("data").encode()).isEqualTo("[\"image[0]\",\"image[1]\"]");
    ByteBuffer out = ByteBuffer.wrap(response.body(), jsonLength, 16).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(new float[] {out.getFloat(), out.getFloat(), out.getFloat(), out.getFloat()})
        .containsExactly(0.2f, 0.8f, 0.2f, 0.8f);
    assertThat(response.body()).hasSize(jsonLength + 16);

    // FP32 in binary, and every output in binary (binary_data_output)
    float[] values = rows(1, 12, 0.75f);
    ByteBuffer floats = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : values) {
      floats.putFloat(f);
    }
    String fpHeader = "{\"parameters\": {\"binary_data_output\": true}, \"inputs\": [{\"name\": \"input\", "
        + "\"shape\": [1, 2, 2, 3], \"datatype\": \"FP32\", \"parameters\": {\"binary_data_size\": 48}}]}";
    var fp = send("/v2/models/echo/infer", Map.of("inference-header-content-length",
        Integer.toString(fpHeader.length())), concat(fpHeader.getBytes(StandardCharsets.UTF_8), floats.array()));
    int fpJson = Integer.parseInt(fp.headers().firstValue("inference-header-content-length").orElseThrow());
    JsonObject fpOut = new JsonObject(new String(fp.body(), 0, fpJson, StandardCharsets.UTF_8));
    assertThat(fpOut.getJsonArray("outputs").getJsonObject(1).getJsonObject("parameters").getInteger("binary_data_size"))
        .isEqualTo(4 + "[1, 2, 2, 3]".length());
    ByteBuffer fpBinary = ByteBuffer.wrap(fp.body(), fpJson, 8).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(fpBinary.getFloat()).isEqualTo(0.75f);

    assertThat(error(send("/v2/models/echo/infer", Map.of("inference-header-content-length", "10"), new byte[5]), 400))
        .contains("Inference-Header-Content-Length 10 is more than the body's 5 bytes");
    assertThat(error(send("/v2/models/echo/infer", Map.of("inference-header-content-length",
        Integer.toString(header.length())), concat(header.getBytes(StandardCharsets.UTF_8),
        Arrays.copyOf(images.array(), 10))), 400)).contains("binary_data_size");
  }

  static byte[] concat(byte[] a, byte[] b) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(a);
    out.writeBytes(b);
    return out.toByteArray();
  }

  @Test
  @Order(3)
  void errorsAreStringsWithTheProtocolsStatuses() {
    String b64 = Base64.getEncoder().encodeToString(IMAGE);
    assertThat(error(send("/v2/models/echo/infer", Map.of(), ("{\"inputs\": [{\"name\": \"image\", \"shape\": [1], "
        + "\"datatype\": \"BYTES\", \"data\": [\"" + b64 + "\"]}], \"outputs\": [{\"name\": \"logits\"}]}").getBytes()), 400))
        .isEqualTo("unexpected inference output 'logits' for model 'echo'; outputs: probabilities, label");
    assertThat(error(send("/v2/models/echo/infer", Map.of(), ("{\"inputs\": [{\"name\": \"input\", \"shape\": [1], "
        + "\"datatype\": \"BYTES\", \"data\": [\"" + b64 + "\"]}]}").getBytes()), 400))
        .contains("input 'input' has datatype BYTES; this model takes FP32");
    error(send("/v2/models/missing/infer", Map.of(), ("{\"inputs\": [{\"name\": \"image\", \"shape\": [1], "
        + "\"datatype\": \"BYTES\", \"data\": [\"" + b64 + "\"]}]}").getBytes()), 404);
    var get = TestServices.get(gateway.httpPort(), "/v2/models/echo/infer");
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(new JsonObject(get.body()).getString("error")).contains("GET is not allowed");
    assertThat(TestServices.get(gateway.httpPort(), "/v2/models/echo/versions/x").statusCode()).isEqualTo(400);
    assertThat(error(send("/v2/repository/models/echo/load", Map.of(), new byte[0]), 400)).contains("not loaded or unloaded");
  }

  @Test
  @Order(4)
  void statisticsCountWhatThisGatewayServedAsTritonNamesThem() {
    JsonObject stats = new JsonObject(TestServices.get(gateway.httpPort(), "/v2/models/echo/stats").body());
    JsonArray models = stats.getJsonArray("model_stats");
    assertThat(models).hasSize(3);
    JsonObject v3 = models.stream().map(JsonObject.class::cast).filter(m -> m.getString("version").equals("3"))
        .findFirst().orElseThrow();
    assertThat(v3.getString("name")).isEqualTo("echo");
    assertThat(v3.getLong("inference_count")).isGreaterThanOrEqualTo(5);  // the images answered by version 3 so far
    assertThat(v3.getLong("last_inference")).isGreaterThan(0);
    JsonObject inference = v3.getJsonObject("inference_stats");
    assertThat(inference.fieldNames()).contains("success", "fail", "queue", "compute_input", "compute_infer",
        "compute_output");
    assertThat(inference.getJsonObject("success").getLong("count")).isGreaterThanOrEqualTo(4);
    assertThat(inference.getJsonObject("success").getLong("ns")).isPositive();
    assertThat(inference.getJsonObject("fail").getLong("count")).isGreaterThanOrEqualTo(1);  // the FP32/BYTES mix-up
    assertThat(v3.getJsonArray("batch_stats").getJsonObject(0).getJsonObject("compute_infer").getLong("count"))
        .isPositive();
    assertThat(new JsonObject(TestServices.get(gateway.httpPort(), "/v2/models/echo/versions/2/stats").body())
        .getJsonArray("model_stats").getJsonObject(0).getLong("inference_count")).isEqualTo(2);
    assertThat(new JsonObject(TestServices.get(gateway.httpPort(), "/v2/models/stats").body())
        .getJsonArray("model_stats")).hasSize(3);
    assertThat(TestServices.get(gateway.httpPort(), "/v2/models/missing/stats").statusCode()).isEqualTo(404);
  }

  @Test
  @Order(5)
  void theRepositoryIndexAndServerMetadataAreTritons() {
    var index = send("/v2/repository/index", Map.of(), new byte[0]);
    assertThat(index.statusCode()).isEqualTo(200);
    assertThat(new JsonArray(new String(index.body(), StandardCharsets.UTF_8)).encode()).isEqualTo(
        "[{\"name\":\"echo\",\"version\":\"1\",\"state\":\"UNAVAILABLE\",\"reason\":\"not loaded; loads on its first request\"},"
            + "{\"name\":\"echo\",\"version\":\"2\",\"state\":\"UNAVAILABLE\",\"reason\":\"not loaded; loads on its first request\"},"
            + "{\"name\":\"echo\",\"version\":\"3\",\"state\":\"READY\"}]");
    var ready = send("/v2/repository/index", Map.of("content-type", "application/json"), "{\"ready\": true}".getBytes());
    assertThat(new JsonArray(new String(ready.body(), StandardCharsets.UTF_8)).size()).isEqualTo(1);

    JsonObject server = new JsonObject(TestServices.get(gateway.httpPort(), "/v2").body());
    assertThat(server.getJsonArray("extensions").getList()).contains("binary_tensor_data", "classification",
        "statistics", "model_repository");
    JsonObject meta = new JsonObject(TestServices.get(gateway.httpPort(), "/v2/models/echo").body());
    assertThat(meta.getJsonArray("inputs").encode()).isEqualTo("[{\"name\":\"image\",\"datatype\":\"BYTES\",\"shape\":[-1]},"
        + "{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[-1,150,150,3]}]");
  }
}
