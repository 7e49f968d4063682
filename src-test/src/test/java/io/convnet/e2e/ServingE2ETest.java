package io.convnet.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.convnet.bundle.BundleStore;
import io.convnet.bundle.BundleTestSupport;
import io.convnet.data.Preprocessing;
import io.convnet.gateway.GatewayMain;
import io.convnet.image.ImageDecoder;
import io.convnet.image.TestImages;
import io.convnet.infer.Predictor;
import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kit.launch.RunningService;
import io.convnet.kit.testing.TestServices;
import io.convnet.nn.Model;
import io.convnet.testing.TinyModels;
import io.convnet.worker.InferenceWorkerMain;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real gateway and a real worker (in this JVM) over a tiny model: every classify route gives
 * for the same image what the model says in process; errors come back as the API promises.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ServingE2ETest {
  @TempDir
  static Path tmp;
  static Path bundle;
  static RunningService worker;
  static RunningService gateway;
  static byte[] image;
  static float[] expected;

  @BeforeAll
  static void start() throws Exception {
    Path store = tmp.resolve("models");
    try (Model m = TinyModels.cnn(24, 2).build(11)) {
      new BundleStore(store).publish("cats-vs-dogs", m, BundleTestSupport.manifest("cats-vs-dogs", List.of("cat", "dog")));
    }
    bundle = store.resolve("cats-vs-dogs/1");
    Path dataset = TestImages.catsVsDogs();
    Path photo = dataset == null ? null : dataset.resolve("validation/dog/dog.2000.jpg");
    image = photo != null && Files.isRegularFile(photo) ? Files.readAllBytes(photo)
        : TestImages.jpeg(TestImages.stripes(60, 1, 3));
    expected = inProcess(image);
    worker = TestServices.start(InferenceWorkerMain.DEFINITION, Map.of("CONVNET_MODEL_STORE", store.toString(),
        "CONVNET_SCORE_ENABLED", "false"));
    gateway = TestServices.start(GatewayMain.DEFINITION, Map.of());
  }

  @AfterAll
  static void stop() {
    TestServices.stop(gateway, worker);
  }

  static float[] inProcess(byte[] jpeg) {
    try (Predictor p = Predictor.open(bundle)) {
      Preprocessing prep = Preprocessing.rescale(24, 24);
      return p.predict(prep.apply(prep.load(ImageDecoder.standard(), jpeg, "test")), 1)[0];  // as training loads it
    }
  }

  static HttpResponse<String> post(String path, String type, byte[] body) {
    return TestServices.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.httpPort() + path))
        .header("content-type", type).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
  }

  static JsonObject ok(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonObject(response.body());
  }

  static double dog(JsonObject ownPrediction) {
    return ownPrediction.getJsonArray("classes").stream().map(JsonObject.class::cast)
        .filter(c -> c.getString("label").equals("dog")).findFirst().orElseThrow().getDouble("probability");
  }

  @Test
  void everyRouteAnswersWhatTheModelSaysInProcess() {
    String b64 = Base64.getEncoder().encodeToString(image);

    JsonObject raw = ok(post("/v1/models/cats-vs-dogs:classify", "image/jpeg", image));
    assertThat(raw.getLong("version")).isEqualTo(1);
    assertThat(raw.getJsonObject("timing").getInteger("batchSize")).isEqualTo(1);
    assertThat(dog(raw.getJsonArray("predictions").getJsonObject(0))).isCloseTo(expected[1], within(1e-5));

    ByteArrayOutputStream form = new ByteArrayOutputStream();
    form.writeBytes(("--b0undary\r\nContent-Disposition: form-data; name=\"image\"; filename=\"dog.jpg\"\r\n"
        + "Content-Type: image/jpeg\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    form.writeBytes(image);
    form.writeBytes("\r\n--b0undary--\r\n".getBytes(StandardCharsets.UTF_8));
    JsonObject multipart = ok(post("/v1/models/cats-vs-dogs:classify", "multipart/form-data; boundary=b0undary",
        form.toByteArray()));
    assertThat(multipart.getJsonArray("predictions").getJsonObject(0).getString("image")).isEqualTo("dog.jpg");
    assertThat(dog(multipart.getJsonArray("predictions").getJsonObject(0))).isCloseTo(expected[1], within(1e-5));

    JsonObject json = ok(post("/v1/models/cats-vs-dogs/versions/1:classify", "application/json",
        new JsonObject().put("images", new JsonArray().add(b64).add(b64)).encode().getBytes()));
    assertThat(json.getJsonArray("predictions")).hasSize(2);

    JsonObject predict = ok(post("/v1/models/cats-vs-dogs:predict", "application/json",
        ("{\"instances\": [{\"b64\": \"" + b64 + "\"}]}").getBytes()));
    JsonArray row = predict.getJsonArray("predictions").getJsonArray(0);
    assertThat(row.getDouble(0)).isCloseTo(expected[0], within(1e-5));
    assertThat(row.getDouble(1)).isCloseTo(expected[1], within(1e-5));

    JsonObject infer = ok(post("/v2/models/cats-vs-dogs/infer", "application/json", new JsonObject()
        .put("inputs", new JsonArray().add(new JsonObject().put("name", "image").put("shape", new JsonArray().add(1))
            .put("datatype", "BYTES").put("data", new JsonArray().add(b64)))).encode().getBytes()));
    assertThat(infer.getString("model_version")).isEqualTo("1");
    JsonArray data = infer.getJsonArray("outputs").getJsonObject(0).getJsonArray("data");
    assertThat(data.getDouble(1)).isCloseTo(expected[1], within(1e-5));
    assertThat(infer.getJsonArray("outputs").getJsonObject(1).getJsonArray("data").getString(0))
        .isEqualTo(expected[1] > expected[0] ? "dog" : "cat");
  }

  @Test
  void modelsStatusMetadataAndErrorsComeFromTheRealWorker() {
    JsonObject models = ok(TestServices.get(gateway.httpPort(), "/v1/models"));
    JsonObject m = models.getJsonArray("models").getJsonObject(0);
    assertThat(m.getString("name")).isEqualTo("cats-vs-dogs");
    assertThat(m.getLong("servedVersion")).isEqualTo(1);
    assertThat(m.getJsonArray("labels").getList()).containsExactly("cat", "dog");
    assertThat(m.getJsonObject("input").getInteger("height")).isEqualTo(24);
    assertThat(ok(TestServices.get(gateway.httpPort(), "/v1/models/cats-vs-dogs")).getJsonArray("model_version_status")
        .getJsonObject(0).getString("state")).isEqualTo("AVAILABLE");
    assertThat(ok(TestServices.get(gateway.httpPort(), "/v2/models/cats-vs-dogs")).getJsonArray("outputs")
        .getJsonObject(0).getJsonArray("shape").encode()).isEqualTo("[-1,2]");
    assertThat(TestServices.get(gateway.httpPort(), "/v2/models/cats-vs-dogs/ready").statusCode()).isEqualTo(200);
    assertThat(TestServices.get(gateway.httpPort(), "/v2/health/ready").statusCode()).isEqualTo(200);

    var corrupt = post("/v1/models/cats-vs-dogs:classify", "image/jpeg", java.util.Arrays.copyOf(image, image.length / 2));
    assertThat(corrupt.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(corrupt.body()).getJsonObject("error").getString("message")).contains("truncated JPEG");
    var notImage = post("/v1/models/cats-vs-dogs:classify", "application/octet-stream", "GIF89a....".getBytes());
    assertThat(notImage.statusCode()).isEqualTo(400);
    // GIF is decoded now; a bare header is a truncated GIF.
    assertThat(new JsonObject(notImage.body()).getJsonObject("error").getString("message")).contains("truncated GIF");
    assertThat(post("/v1/models/horses:classify", "image/jpeg", image).statusCode()).isEqualTo(404);
    assertThat(post("/v1/models/cats-vs-dogs/versions/4:classify", "image/jpeg", image).statusCode()).isEqualTo(404);
    assertThat(TestServices.get(gateway.httpPort(), "/v2/models/cats-vs-dogs/versions/4").statusCode()).isEqualTo(404);
  }
}
