package io.convnet.gateway.visualize;

import static org.assertj.core.api.Assertions.assertThat;

import io.convnet.gateway.GatewayMain;
import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kit.config.Settings;
import io.convnet.kit.launch.RunningService;
import io.convnet.kit.testing.TestServices;
import io.convnet.proto.AscentOptions;
import io.convnet.proto.Filters;
import io.convnet.proto.Image;
import io.convnet.proto.ModelRef;
import io.convnet.proto.VisualizeRequest;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What the gateway itself refuses, before anything travels to a visualizer; and job ids. */
@ExtendWith(KafkaBrokerExtension.class)
class VisualizeRoutesTest {
  static RunningService gateway;

  @BeforeAll
  static void start() {
    // no worker here: the serving routes' Kafka requests give up quickly
    gateway = TestServices.start(GatewayMain.DEFINITION, Map.of(VisualizeRoutes.TIMEOUT_MS.name(), "2000",
        Settings.REQUEST_TIMEOUT_MS.name(), "500"));
  }

  @AfterAll
  static void stop() {
    TestServices.stop(gateway);
  }

  static HttpResponse<String> post(String path, String contentType, byte[] body) {
    return TestServices.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.httpPort() + path))
        .header("content-type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
  }

  static HttpResponse<String> postJson(String path, String json) {
    return post(path, "application/json", json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  static String error(HttpResponse<String> r, int status) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    JsonObject e = new JsonObject(r.body()).getJsonObject("error");
    assertThat(e.getInteger("status")).isEqualTo(status);
    return e.getString("message");
  }

  @Test
  void badQueryParametersAndBodiesGet400() {
    assertThat(error(post("/v1/models/m/feature-maps", "image/jpeg", new byte[0]), 400))
        .contains("send the image (JPEG or PNG) as the request body");
    assertThat(error(post("/v1/models/m/feature-maps?chanels=3", "image/jpeg", new byte[] {1}), 400))
        .contains("unknown query parameter 'chanels'").contains("channels, layer, layers, version");
    assertThat(error(post("/v1/models/m/feature-maps?channels=0", "image/jpeg", new byte[] {1}), 400))
        .contains("'channels' must be a positive integer");
    assertThat(error(post("/v1/models/m/filters?steps=many", "image/jpeg", new byte[0]), 400))
        .contains("'steps' must be an integer, not 'many'");
    assertThat(error(post("/v1/models/m/filters?filters=1,x", "image/jpeg", new byte[0]), 400))
        .contains("'filters' must be integers");
    assertThat(error(post("/v1/models/m/classes/dog?tv=lots", "image/jpeg", new byte[0]), 400))
        .contains("'tv' must be a number");
    assertThat(error(post("/v1/models/m/saliency?smooth=maybe", "image/jpeg", new byte[] {1}), 400))
        .contains("'smooth' must be true or false");
  }

  @Test
  void explainersRefuseWhatIsNotAMatrix() {
    assertThat(error(postJson("/v1/explain/convolution", "{\"input\": [[1, 2], [3]], \"kernel\": \"edge1\"}"), 400))
        .contains("'input' is not a matrix: row 1 has 1 values, row 0 has 2");
    assertThat(error(postJson("/v1/explain/convolution", "{\"input\": [[1, 2], [3, 4]], \"kernel\": 5}"), 400))
        .contains("'kernel' must be a matrix");
    assertThat(error(postJson("/v1/explain/convolution", "{\"input\": [[1, 2], [3, 4]], \"kernel\": [[1, \"a\"]]}"),
        400)).contains("'kernel' is not a matrix of numbers: [0][1] is a");
    assertThat(error(postJson("/v1/explain/convolution", "{\"input\": [[1, 2]], \"kernel\": \"edge1\", "
        + "\"stride\": 1.5}"), 400)).contains("'stride' must be an integer");
    assertThat(error(postJson("/v1/explain/convolution", "{\"input\": [[1, 2]]"), 400)).contains("not valid JSON");
    assertThat(error(postJson("/v1/explain/convolution", "[1, 2]"), 400)).contains("must be a JSON object");
    assertThat(error(postJson("/v1/explain/loss", "{\"predicted\": [[0.5, 0.5]]}"), 400))
        .contains("'labels' must be a matrix");
    assertThat(error(postJson("/v1/explain/loss", ""), 400)).contains("send a JSON object");
  }

  @Test
  void explorerRoutesRefuseBadWindowsUnitsAndParameters() {
    assertThat(error(post("/v1/models/m/explore", "image/png", new byte[0]), 400))
        .contains("send the image (JPEG or PNG) as the request body");
    assertThat(error(post("/v1/models/m/explore?window=conv_1:3", "image/png", new byte[] {1}), 400))
        .contains("'window' must be layer:y:x", "not 'conv_1:3'");
    assertThat(error(post("/v1/models/m/explore?window=conv_1:a:3", "image/png", new byte[] {1}), 400))
        .contains("'window' must be layer:y:x");
    assertThat(error(post("/v1/models/m/explore?window=conv_1:-1:3", "image/png", new byte[] {1}), 400))
        .contains("'window's y' must be 0 or more, not -1");
    assertThat(error(post("/v1/models/m/explore?first=-2", "image/png", new byte[] {1}), 400))
        .contains("'first' must be 0 or more");
    assertThat(error(post("/v1/models/m/explore?channels=0", "image/png", new byte[] {1}), 400))
        .contains("'channels' must be a positive integer");
    assertThat(error(post("/v1/models/m/explore?unit=3", "image/png", new byte[] {1}), 400))
        .contains("unknown query parameter 'unit'", "channels, encoding, first, layer, layers, version, window");
    String weights = "/v1/models/m/versions/2/layers/conv_1/weights";
    assertThat(error(TestServices.get(gateway.httpPort(), weights), 400)).contains("'unit' is required");
    assertThat(error(TestServices.get(gateway.httpPort(), weights + "?unit=x"), 400))
        .contains("'unit' must be an integer, not 'x'");
    assertThat(error(TestServices.get(gateway.httpPort(), weights + "?unit=-1"), 400))
        .contains("'unit' must be 0 or more");
    assertThat(error(TestServices.get(gateway.httpPort(), weights + "?unit=1&top=0"), 400))
        .contains("'top' must be a positive integer");
    assertThat(error(TestServices.get(gateway.httpPort(), "/v1/models/m/versions/x/layers/conv_1/weights?unit=1"),
        400)).contains("version must be a positive integer, not 'x'");
  }

  @Test
  void unknownJobIdsAre404AndOtherModelRoutesAreNotShadowed() {
    assertThat(error(TestServices.get(gateway.httpPort(), "/v1/visualizations/nope"), 404))
        .contains("no visualization job 'nope'");
    // the serving routes still answer these (asking for a worker there is none of), not the visualization routes
    var status = TestServices.get(gateway.httpPort(), "/v1/models/m");  // TF Serving's model status: its error shape
    assertThat(status.statusCode()).isEqualTo(504);
    assertThat(new JsonObject(status.body()).getString("error")).contains("no reply to models");
    assertThat(error(post("/v1/models/m:classify", "image/jpeg", new byte[] {1}), 504)).contains("no reply to classify");
  }

  @Test
  void jobIdsDependOnWhatIsAskedOnly() {
    VisualizeRequest a = VisualizeRequest.newBuilder().setModel(ModelRef.newBuilder().setName("m"))
        .setFilters(Filters.newBuilder().addLayers("conv_1").setAscent(AscentOptions.newBuilder().setSteps(10))).build();
    String id = ContentJobIds.of(a);
    assertThat(id).matches("filters-[0-9a-f]{24}");
    assertThat(ContentJobIds.valid(id)).isTrue();
    assertThat(ContentJobIds.of(a.toBuilder().setWantJson(true).setJobId("x")
        .setImage(Image.newBuilder().setName("ignored")).build())).isEqualTo(id);
    assertThat(ContentJobIds.of(a.toBuilder().setFilters(a.getFilters().toBuilder()
        .setAscent(AscentOptions.newBuilder().setSteps(11))).build())).isNotEqualTo(id);
    assertThat(ContentJobIds.of(a.toBuilder().setModel(ModelRef.newBuilder().setName("m").setVersion(2)).build()))
        .isNotEqualTo(id);
  }
}
