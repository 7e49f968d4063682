package io.convnet.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kit.launch.RunningService;
import io.convnet.kit.testing.TestServices;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.tensorflow.example.BytesList;
import org.tensorflow.example.Example;
import org.tensorflow.example.Feature;
import org.tensorflow.example.Features;

/**
 * TF Serving's REST API with request bodies as its documentation writes them (api_rest.md:
 * row and columnar formats, {"b64": ...}, signature_name, classify's examples), against a stand-in
 * worker that tells what arrived: image bytes as (size / 1000, 1 - that), a float tensor's rows as
 * (first value, 1 - that), labels "big" and "small".
 */
@ExtendWith(KafkaBrokerExtension.class)
class TfServingRestTest {
  static RunningService gateway;
  static RunningService worker;
  static final String B64 = Base64.getEncoder().encodeToString(GatewayTest.jpegLike(200));

  @BeforeAll
  static void start() {
    worker = TestServices.start(ImageEchoWorker.definition(), Map.of());
    gateway = TestServices.start(GatewayMain.DEFINITION, Map.of());
  }

  @AfterAll
  static void stop() {
    TestServices.stop(gateway, worker);
  }

  static HttpResponse<String> post(String path, String body) {
    return TestServices.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.httpPort() + path))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  static JsonObject ok(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonObject(response.body());
  }

  static String error(HttpResponse<String> response, int status) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    JsonObject body = new JsonObject(response.body());
    assertThat(body.fieldNames()).containsExactly("error");
    return body.getString("error");
  }

  /** An image [h][w][c] as nested JSON lists, every value {@code v}. */
  static JsonArray image(int h, int w, double v) {
    JsonArray rows = new JsonArray();
    for (int y = 0; y < h; y++) {
      JsonArray row = new JsonArray();
      for (int x = 0; x < w; x++) {
        row.add(new JsonArray().add(v).add(v).add(v));
      }
      rows.add(row);
    }
    return rows;
  }

  @Test
  void predictTakesEncodedImagesInRowAndColumnarFormat() {
    // "instances": [{"b64": ...}] (a single named input: the value alone), and the input by its name
    JsonObject row = ok(post("/v1/models/echo:predict", "{\"signature_name\": \"serving_bytes\", \"instances\": [{\"b64\": \""
        + B64 + "\"}, {\"b64\": \"" + B64 + "\"}]}"));
    assertThat(row.encode()).isEqualTo("{\"predictions\":[[0.2,0.8],[0.2,0.8]]}");
    JsonObject named = ok(post("/v1/models/echo:predict", "{\"signature_name\": \"serving_bytes\", \"instances\": "
        + "[{\"image_bytes\": {\"b64\": \"" + B64 + "\"}}]}"));
    assertThat(named.encode()).isEqualTo("{\"predictions\":[[0.2,0.8]]}");
    assertThat(error(post("/v1/models/echo:predict", "{\"instances\": [{\"b64\": \"" + B64 + "\"}, {\"image_bytes\": "
        + "{\"b64\": \"" + B64 + "\"}}]}"), 400)).isEqualTo("Expecting value/list but got object at item 1 of input list");
    JsonObject columnar = ok(post("/v1/models/echo/versions/2:predict", "{\"signature_name\": \"serving_bytes\", "
        + "\"inputs\": {\"image_bytes\": [{\"b64\": \"" + B64 + "\"}]}}"));
    assertThat(columnar.encode()).isEqualTo("{\"outputs\":[[0.2,0.8]]}");
    // without signature_name encoded images still go to serving_bytes (and the old key "image" still works)
    assertThat(ok(post("/v1/models/echo:predict", "{\"inputs\": [{\"b64\": \"" + B64 + "\"}]}")).encode())
        .isEqualTo("{\"outputs\":[[0.2,0.8]]}");
  }

  @Test
  void predictTakesFloatTensorsInRowAndColumnarFormat() {
    JsonObject rows = ok(post("/v1/models/echo:predict", new JsonObject().put("signature_name", "serving_default")
        .put("instances", new JsonArray().add(image(2, 3, 0.25)).add(image(2, 3, 0.5))).encode()));
    assertThat(rows.encode()).isEqualTo("{\"predictions\":[[0.25,0.75],[0.5,0.5]]}");
    JsonObject columns = ok(post("/v1/models/echo:predict", new JsonObject()
        .put("inputs", new JsonObject().put("input", new JsonArray().add(image(4, 4, 0.125)))).encode()));
    assertThat(columns.encode()).isEqualTo("{\"outputs\":[[0.125,0.875]]}");
    // instances named by the input, and unnamed numbers (the default signature, serving_default)
    assertThat(ok(post("/v1/models/echo:predict", new JsonObject().put("instances", new JsonArray()
        .add(new JsonObject().put("input", image(1, 1, 0.75)))).encode())).encode())
        .isEqualTo("{\"predictions\":[[0.75,0.25]]}");

    assertThat(error(post("/v1/models/echo:predict", new JsonObject().put("instances", new JsonArray()
        .add(image(2, 2, 0.1)).add(image(3, 2, 0.1))).encode()), 400)).contains("Expecting shape [2, 2, 3] but got: [3, 2, 3]");
    assertThat(error(post("/v1/models/echo:predict", "{\"signature_name\": \"serving_default\", \"instances\": [{\"b64\": \""
        + B64 + "\"}]}"), 400)).contains("where a number is expected");
    assertThat(error(post("/v1/models/echo:predict", "{\"instances\": [[[[1, 2, 3]]], [[[1, \"x\", 3]]]]}"), 400))
        .contains("a string where a number is expected");
    assertThat(error(post("/v1/models/echo:predict", "{\"instances\": [[[[1, 2, 3], [4, 5]]]]}"), 400))
        .contains("a list of 2 at level 2 where the first element says 3");
  }

  @Test
  void theClassifySignatureTakesSerializedExamplesThroughPredictToo() {
    Example example = Example.newBuilder().setFeatures(Features.newBuilder().putFeature("image_bytes",
        Feature.newBuilder().setBytesList(BytesList.newBuilder().addValue(com.google.protobuf.ByteString.copyFrom(
            GatewayTest.jpegLike(300)))).build())).build();
    String serialized = Base64.getEncoder().encodeToString(example.toByteArray());
    JsonObject out = ok(post("/v1/models/echo:predict", "{\"signature_name\": \"classify\", \"instances\": [{\"b64\": \""
        + serialized + "\"}]}"));
    assertThat(out.encode()).isEqualTo("{\"predictions\":[{\"classes\":[\"big\",\"small\"],\"scores\":[0.3,0.7]}]}");
  }

  @Test
  void classifyTakesExamplesAsTfServingDefinesThem() {
    JsonObject results = ok(post("/v1/models/echo:classify", "{\"examples\": [{\"image_bytes\": {\"b64\": \"" + B64
        + "\"}}, {\"image_bytes\": {\"b64\": \"" + B64 + "\"}, \"caption\": \"seaside\"}]}"));
    assertThat(results.encode()).isEqualTo("{\"results\":[[[\"big\",0.2],[\"small\",0.8]],[[\"big\",0.2],[\"small\",0.8]]]}");
    // the image in the common context
    assertThat(ok(post("/v1/models/echo/labels/stable:classify", "{\"signature_name\": \"classify\", \"context\": "
        + "{\"image_bytes\": {\"b64\": \"" + B64 + "\"}}, \"examples\": [{\"caption\": \"x\"}]}")).getJsonArray("results"))
        .hasSize(1);
    assertThat(error(post("/v1/models/echo:classify", "{\"signature_name\": \"serving_default\", \"examples\": [{}]}"), 400))
        .isEqualTo("Expected classification signature method_name to be tensorflow/serving/classify. "
            + "Was: tensorflow/serving/predict");
    assertThat(error(post("/v1/models/echo:classify", "{\"examples\": [{\"caption\": \"no image\"}]}"), 400))
        .contains("examples[0] needs the bytes feature 'image_bytes'");
    assertThat(error(post("/v1/models/echo:regress", "{\"examples\": [{\"x\": 1.0}]}"), 400))
        .contains("Expected regression signature method_name to be tensorflow/serving/regress");
  }

  @Test
  void ourOwnClassifyApiStillAnswersAtTheColonPathMarkedDeprecated() {
    var raw = TestServices.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.httpPort()
            + "/v1/models/echo:classify")).header("content-type", "image/jpeg")
        .POST(HttpRequest.BodyPublishers.ofByteArray(GatewayTest.jpegLike(100))).build());
    assertThat(ok(raw).getJsonArray("predictions").getJsonObject(0).getDouble("probability")).isEqualTo(0.1);
    assertThat(raw.headers().firstValue("deprecation")).contains("@1796515200");
    assertThat(raw.headers().firstValue("link")).contains("</v1/models/echo/classify>; rel=\"successor-version\"");
    var json = post("/v1/models/echo/versions/2:classify", "{\"images\": [\"" + B64 + "\"]}");
    assertThat(ok(json).getLong("version")).isEqualTo(2);
    assertThat(json.headers().firstValue("deprecation")).isPresent();
    var slash = post("/v1/models/echo/classify", "{\"images\": [\"" + B64 + "\"]}");
    assertThat(ok(slash).getString("model")).isEqualTo("echo");
    assertThat(slash.headers().firstValue("deprecation")).isEmpty();
  }

  @Test
  void metadataShowsTheSignatureDefsAsTfServingPrintsThem() {
    JsonObject meta = ok(TestServices.get(gateway.httpPort(), "/v1/models/echo/metadata"));
    assertThat(meta.getJsonObject("model_spec"))
        .isEqualTo(new JsonObject().put("name", "echo").put("signature_name", "").put("version", "3"));
    JsonObject defs = meta.getJsonObject("metadata").getJsonObject("signature_def").getJsonObject("signature_def");
    assertThat(defs.fieldNames()).containsExactlyInAnyOrder("serving_default", "serving_bytes", "classify");
    JsonObject input = defs.getJsonObject("serving_default").getJsonObject("inputs").getJsonObject("input");
    assertThat(input.getString("dtype")).isEqualTo("DT_FLOAT");
    assertThat(input.getString("name")).isEqualTo("input:0");
    assertThat(input.getJsonObject("tensor_shape").getJsonArray("dim").stream()
        .map(d -> ((JsonObject) d).getString("size"))).containsExactly("-1", "150", "150", "3");
    assertThat(defs.getJsonObject("serving_default").getString("method_name")).isEqualTo("tensorflow/serving/predict");
    assertThat(defs.getJsonObject("serving_bytes").getJsonObject("inputs").getJsonObject("image_bytes")
        .getString("dtype")).isEqualTo("DT_STRING");
    assertThat(defs.getJsonObject("classify").getJsonObject("outputs").fieldNames()).containsExactlyInAnyOrder("classes",
        "scores");
    assertThat(ok(TestServices.get(gateway.httpPort(), "/v1/models/echo/versions/2/metadata"))
        .getJsonObject("model_spec").getString("version")).isEqualTo("2");
    assertThat(ok(TestServices.get(gateway.httpPort(), "/v1/models/echo/labels/stable/metadata"))
        .getJsonObject("model_spec").getString("version")).isEqualTo("3");
    error(TestServices.get(gateway.httpPort(), "/v1/models/missing/metadata"), 404);
  }

  @Test
  void versionLabelsStatusAndErrorsAreTfServings() {
    assertThat(ok(post("/v1/models/echo/labels/stable:predict", "{\"instances\": [{\"b64\": \"" + B64 + "\"}]}"))
        .encode()).isEqualTo("{\"predictions\":[[0.2,0.8]]}");
    assertThat(error(post("/v1/models/echo/labels/canary:predict", "{\"instances\": [{\"b64\": \"" + B64 + "\"}]}"), 400))
        .isEqualTo("Unrecognized servable version label: canary");
    assertThat(ok(TestServices.get(gateway.httpPort(), "/v1/models/echo/labels/stable")).getJsonArray("model_version_status")
        .encode()).isEqualTo("[{\"version\":\"3\",\"state\":\"AVAILABLE\",\"status\":{\"error_code\":\"OK\",\"error_message\":\"\"}}]");

    var get = TestServices.get(gateway.httpPort(), "/v1/models/echo:predict");
    assertThat(error(get, 405)).contains("GET");
    assertThat(get.headers().firstValue("allow")).contains("POST");
    assertThat(error(post("/v1/models/echo:predict", "{\"signature_name\": \"nope\", \"instances\": [1]}"), 400))
        .isEqualTo("Serving signature name: \"nope\" not found in signature def");
    assertThat(error(post("/v1/models/echo:predict", "{\"signature_name\": 7, \"instances\": [1]}"), 400))
        .contains("'signature_name' key must be a string value");
    assertThat(error(post("/v1/models/echo:predict", "{\"instances\": [], \"inputs\": []}"), 400))
        .contains("only one of 'inputs' or 'instances'");
    assertThat(error(post("/v1/models/echo:predict", "{}"), 400)).isEqualTo("Missing 'inputs' or 'instances' key");
    assertThat(error(post("/v1/models/echo:predict", "{\"instances\": [{\"b64\": \"not base64!\"}]}"), 400))
        .contains("Unable to base64 decode");
    assertThat(error(post("/v1/models/echo:predict", "not json"), 400)).contains("not a JSON object");
    assertThat(error(post("/v1/models/missing:predict", "{\"instances\": [{\"b64\": \"" + B64 + "\"}]}"), 404))
        .contains("'missing'");
    var training = post("/v1/models/training:predict", "{\"instances\": [{\"b64\": \"" + B64 + "\"}]}");
    error(training, 503);
    assertThat(training.headers().firstValue("retry-after")).contains("10");
  }
}
