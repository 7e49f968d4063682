package io.convnet.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.convnet.gateway.GatewayMain;
import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.testing.TinyBundles;
import io.convnet.visualizer.VisualizerMain;
import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every visualization route over HTTP: gateway and visualizer as their own JVMs, a small trained
 * bundle, a real photo from the dataset (a bar image when the dataset is absent).
 */
@ExtendWith(KafkaBrokerExtension.class)
class VisualizationE2ETest {
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  @TempDir
  static Path tmp;
  static ServiceProcess gateway;
  static ServiceProcess visualizer;
  static byte[] photo;

  @BeforeAll
  static void start() throws Exception {
    TinyBundles.trained(tmp.resolve("models"), "bars", tmp.resolve("data"));
    Path dog = Path.of(System.getProperty("convnet.datasets", "../shared/datasets"),
        "cats-vs-dogs", "validation", "dog", "dog.1000.jpg");
    photo = Files.readAllBytes(Files.exists(dog) ? dog : tmp.resolve("data/bars/validation/dog/dog.0.png"));
    Map<String, String> env = Map.of("CONVNET_REQUEST_TIMEOUT_MS", "5000", "CONVNET_VISUALIZE_TIMEOUT_MS", "60000",
        "CONVNET_MODEL_STORE", tmp.resolve("models").toString(), "CONVNET_DATA_ROOT", tmp.resolve("data").toString(),
        "CONVNET_VIZ_CACHE_DIR", tmp.resolve("cache").toString());
    gateway = ServiceProcess.start(GatewayMain.class, "gateway-viz-e2e", env);
    visualizer = ServiceProcess.start(VisualizerMain.class, "visualizer-viz-e2e", env);
    gateway.awaitReady(Duration.ofSeconds(120));
    visualizer.awaitReady(Duration.ofSeconds(120));
  }

  @AfterAll
  static void stop() {
    for (ServiceProcess p : new ServiceProcess[] {gateway, visualizer}) {
      if (p != null) {
        p.close();
      }
    }
  }

  static HttpResponse<byte[]> send(String method, String path, String contentType, byte[] body, String accept)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port + path))
        .timeout(Duration.ofSeconds(90)).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      b.header("content-type", contentType);
    }
    if (accept != null) {
      b.header("accept", accept);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  static BufferedImage png(HttpResponse<byte[]> r) throws Exception {
    assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).contains("image/png");
    return ImageIO.read(new ByteArrayInputStream(r.body()));
  }

  static JsonObject json(HttpResponse<byte[]> r, int status) {
    assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(status);
    assertThat(r.headers().firstValue("content-type")).contains("application/json");
    return new JsonObject(new String(r.body()));
  }

  @Test
  void featureMapsSaliencyAndGradCamOfAPhoto() throws Exception {
    assertThat(png(send("POST", "/v1/models/bars/feature-maps", "image/jpeg", photo, null)).getWidth())
        .isGreaterThan(8 * 64);
    JsonObject maps = json(send("POST", "/v1/models/bars/feature-maps?layers=conv_2&channels=3", "image/jpeg", photo,
        "application/json"), 200);
    assertThat(maps.getJsonArray("layers").getJsonObject(0).getJsonArray("shown")).hasSize(3);
    assertThat(png(send("POST", "/v1/models/bars/saliency", "image/jpeg", photo, null)).getHeight()).isGreaterThan(32);
    assertThat(png(send("POST", "/v1/models/bars/saliency?smooth=true&samples=8&label=cat", "image/jpeg", photo,
        null)).getHeight()).isGreaterThan(32);
    JsonObject cam = json(send("POST", "/v1/models/bars/grad-cam?label=dog&layer=conv_1", "image/jpeg", photo,
        "application/json"), 200);
    assertThat(cam.getString("layer")).isEqualTo("conv_1");
    assertThat(cam.getJsonArray("map")).hasSize(TinyBundles.SIZE);
    assertThat(png(send("POST", "/v1/models/bars/grad-cam", "image/jpeg", photo, null)).getWidth()).isGreaterThan(96);
  }

  @Test
  void filtersAndClassesRunAsJobs() throws Exception {
    String path = "/v1/models/bars/filters?layers=conv_1,conv_2&count=3&steps=15";
    HttpResponse<byte[]> started = send("POST", path, null, null, null);
    JsonObject status = json(started, 202);
    String id = status.getString("id");
    assertThat(started.headers().firstValue("location")).contains("/v1/visualizations/" + id);
    assertThat(status.getString("kind")).isEqualTo("filters");
    assertThat(status.getJsonObject("model").getInteger("version")).isEqualTo(1);
    long until = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (!status.getString("state").equals("done") && System.nanoTime() < until) {
      assertThat(status.getString("state")).isIn("queued", "running");
      Thread.sleep(200);
      status = json(send("GET", "/v1/visualizations/" + id, null, null, null), 200);
    }
    assertThat(status.getString("result")).isEqualTo("/v1/visualizations/" + id + "/result");
    assertThat(png(send("GET", status.getString("result"), null, null, null)).getWidth()).isGreaterThan(3 * 64);
    JsonObject result = json(send("GET", status.getString("result"), null, null, "application/json"), 200);
    assertThat(result.getJsonArray("filters")).hasSize(6);
    JsonObject first = result.getJsonArray("filters").getJsonObject(0);
    assertThat(first.getString("layer")).isEqualTo("conv_1");
    assertThat(first.getDouble("naturalMax")).isNotNull();
    assertThat(first.getValue("ratio")).isNotNull();
    // the same request again: the same job, already done
    HttpResponse<byte[]> again = send("POST", path, null, null, null);
    assertThat(json(again, 303).getString("id")).isEqualTo(id);
    assertThat(again.headers().firstValue("location")).contains("/v1/visualizations/" + id + "/result");

    JsonObject cls = json(send("POST", "/v1/models/bars/classes/dog?steps=10", null, null, null), 202);
    until = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (!cls.getString("state").equals("done") && System.nanoTime() < until) {
      Thread.sleep(200);
      cls = json(send("GET", cls.getString("status"), null, null, null), 200);
    }
    assertThat(png(send("GET", cls.getString("result"), null, null, null)).getWidth()).isGreaterThan(32);
  }

  @Test
  void explainersAnswerExactNumbersAndImages() throws Exception {
    JsonObject conv = json(send("POST", "/v1/explain/convolution", "application/json",
        ("{\"input\": [[3,0,1,2,7],[1,5,8,9,3],[2,7,2,5,1],[0,1,3,1,7],[4,2,1,6,2]], \"kernel\": \"sobel-x\", "
            + "\"stride\": 2, \"padding\": \"same\"}").getBytes(), null), 200);
    assertThat(conv.getJsonArray("featureMap").encode()).isEqualTo("[[-5.0,-8.0,13.0],[-20.0,0.0,20.0],[-5.0,-8.0,13.0]]");
    assertThat(conv.getJsonArray("rectified").encode()).isEqualTo("[[0.0,0.0,13.0],[0.0,0.0,20.0],[0.0,0.0,13.0]]");
    assertThat(conv.getJsonArray("pooled").encode()).isEqualTo("[[0.0,20.0],[0.0,13.0]]");
    JsonObject custom = json(send("POST", "/v1/explain/convolution", "application/json",
        "{\"input\": [[0.1, 0.2, 0.3]], \"kernel\": [[1, 1, 1]]}".getBytes(), null), 200);
    assertThat(custom.getJsonArray("featureMap").getJsonArray(0).getDouble(0)).isEqualTo(0.6);
    assertThat(png(send("POST", "/v1/explain/convolution?kernel=edge3&padding=same", "image/jpeg", photo, null))
        .getWidth()).isGreaterThan(4 * 128);
    JsonObject fromImage = json(send("POST", "/v1/explain/convolution?kernel=[[1,0],[0,-1]]&stride=2", "image/jpeg",
        photo, "application/json"), 200);
    assertThat(fromImage.getJsonObject("kernel").getString("name")).isEqualTo("custom");
    JsonObject loss = json(send("POST", "/v1/explain/loss", "application/json",
        ("{\"predicted\": [[0.3,0.3,0.4],[0.3,0.4,0.3],[0.1,0.2,0.7]], \"labels\": [[0,0,1],[0,1,0],[1,0,0]]}")
            .getBytes(), null), 200);
    assertThat(loss.getDouble("classificationError")).isEqualTo(1 / 3.0);
    assertThat(loss.getDouble("meanSquaredError")).isCloseTo(2.42 / 3, org.assertj.core.data.Offset.offset(1e-15));
    assertThat(loss.getDouble("crossEntropy")).isCloseTo(1.3783, org.assertj.core.data.Offset.offset(1e-4));
  }

  @Test
  void badInputGets400WithAClearMessageAndTheServiceStaysUp() throws Exception {
    assertThat(error(send("POST", "/v1/models/bars/feature-maps?layers=conv_9", "image/jpeg", photo, null), 400))
        .contains("unknown layer 'conv_9'").contains("conv_1, maxpool_1, conv_2");
    assertThat(error(send("POST", "/v1/models/bars/filters?layers=conv_1&filters=0,42", null, null, null), 400))
        .contains("filter 42 is out of range: layer 'conv_1' has 8 filters (0..7)");
    assertThat(error(send("POST", "/v1/models/bars/filters?layers=dense_1", null, null, null), 400))
        .contains("not a convolution");
    assertThat(error(send("POST", "/v1/models/bars/filters?steps=1000000", null, null, null), 400))
        .contains("steps must be 1..1000");
    assertThat(error(send("POST", "/v1/models/bars/feature-maps?channels=5000", "image/jpeg", photo, null), 400))
        .contains("channels must be 1..64");
    assertThat(error(send("POST", "/v1/models/bars/saliency", "image/jpeg", "not an image".getBytes(), null), 400))
        .contains("not a JPEG or PNG");
    assertThat(error(send("POST", "/v1/models/bars/grad-cam?layer=flatten", "image/jpeg", photo, null), 400))
        .contains("not a convolution");
    assertThat(error(send("POST", "/v1/models/bars/classes/horse", null, null, null), 400))
        .contains("unknown label 'horse'");
    assertThat(error(send("POST", "/v1/explain/convolution", "application/json",
        "{\"input\": [[1]], \"kernel\": \"edge1\"}".getBytes(), null), 400)).contains("larger than the input");
    assertThat(error(send("POST", "/v1/explain/convolution", "application/json",
        "{\"input\": [[1,2],[3]], \"kernel\": \"edge1\"}".getBytes(), null), 400)).contains("not a matrix");
    assertThat(error(send("POST", "/v1/models/nope/feature-maps", "image/jpeg", photo, null), 404))
        .contains("known models: bars");
    assertThat(png(send("POST", "/v1/models/bars/feature-maps", "image/jpeg", photo, null)).getWidth()).isPositive();
    assertThat(visualizer.get("/health/ready").statusCode()).isEqualTo(200);
  }

  static String error(HttpResponse<byte[]> r, int status) {
    return json(r, status).getJsonObject("error").getString("message");
  }
}
