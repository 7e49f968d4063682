package io.convnet.gateway.visualize;

import static org.assertj.core.api.Assertions.assertThat;

import io.convnet.gateway.GatewayMain;
import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kit.launch.RunningService;
import io.convnet.kit.launch.ServiceDefinition;
import io.convnet.kit.launch.ServiceKit;
import io.convnet.kit.testing.TestServices;
import io.convnet.proto.Exchanges;
import io.convnet.proto.VisualizeReply;
import io.convnet.proto.VisualizeRequest;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The visualization routes name a version as every route does, {@code /versions/{v}} in the path,
 * and still take the older {@code ?version=}: a stand-in visualizer shows what request arrived.
 */
@ExtendWith(KafkaBrokerExtension.class)
class VersionPathsTest {
  static final byte[] IMAGE = {1, 2, 3};
  static final AtomicReference<VisualizeRequest> RECEIVED = new AtomicReference<>();
  static RunningService gateway;
  static RunningService visualizer;

  /** Answers every visualization with a queued job (or JSON) naming the model version it was asked for. */
  static final class EchoVisualizer extends VerticleBase {
    private final ServiceKit kit;

    EchoVisualizer(ServiceKit kit) {
      this.kit = kit;
    }

    @Override
    public Future<?> start() {
      return kit.responder().serve(Exchanges.VISUALIZE, request -> {
        RECEIVED.set(request);
        return Future.succeededFuture(VisualizeReply.newBuilder().setModel(request.getModel())
            .setJobId(request.getJobId()).setJobKind(request.hasFilters() ? "filters" : "class").setJobState("queued")
            .setJson(request.getJobId().isEmpty() ? new JsonObject().put("version", request.getModel().getVersion())
                .encode() : "")
            .build());
      });
    }
  }

  @BeforeAll
  static void start() {
    visualizer = TestServices.start(new ServiceDefinition("gw-viz-echo", 0, false, EchoVisualizer::new), Map.of());
    gateway = TestServices.start(GatewayMain.DEFINITION, Map.of(VisualizeRoutes.TIMEOUT_MS.name(), "10000"));
  }

  @AfterAll
  static void stop() {
    TestServices.stop(gateway, visualizer);
  }

  static HttpResponse<String> post(String path, String contentType, byte[] body) {
    return TestServices.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.httpPort() + path))
        .header("content-type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
  }

  static VisualizeRequest sent(HttpResponse<String> response, int status) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    return RECEIVED.getAndSet(null);
  }

  @Test
  void theVersionInThePathReachesTheVisualizer() {
    for (String kind : new String[] {"feature-maps", "saliency", "grad-cam"}) {
      VisualizeRequest r = sent(post("/v1/models/m/versions/3/" + kind, "image/jpeg", IMAGE), 200);
      assertThat(r.getModel().getName()).as(kind).isEqualTo("m");
      assertThat(r.getModel().getVersion()).as(kind).isEqualTo(3);
    }
    assertThat(sent(post("/v1/models/m/grad-cam", "image/jpeg", IMAGE), 200)
        .getModel().getVersion()).as("no version: the served one").isZero();

    HttpResponse<String> job = post("/v1/models/m/versions/2/classes/golden%20retriever",
        "application/octet-stream", new byte[0]);
    VisualizeRequest r = sent(job, 202);
    assertThat(r.getModel().getVersion()).isEqualTo(2);
    assertThat(r.getClassOutput().getLabel()).isEqualTo("golden retriever");
    assertThat(new JsonObject(job.body()).getJsonObject("model").getInteger("version")).isEqualTo(2);
  }

  @Test
  void theOlderQueryFormIsTheSameRequest() {
    HttpResponse<String> path = post("/v1/models/m/versions/2/filters?layers=conv_1&count=4",
        "application/octet-stream", new byte[0]);
    VisualizeRequest byPath = sent(path, 202);
    HttpResponse<String> query = post("/v1/models/m/filters?layers=conv_1&count=4&version=2",
        "application/octet-stream", new byte[0]);
    VisualizeRequest byQuery = sent(query, 202);
    assertThat(byQuery).isEqualTo(byPath);
    assertThat(query.headers().firstValue("location")).isEqualTo(path.headers().firstValue("location"));

    assertThat(sent(post("/v1/models/m/feature-maps?version=5", "image/jpeg", IMAGE), 200)
        .getModel().getVersion()).isEqualTo(5);
    assertThat(sent(post("/v1/models/m/versions/5/feature-maps?version=5", "image/jpeg", IMAGE),
        200).getModel().getVersion()).isEqualTo(5);
  }

  @Test
  void aBadOrContradictoryVersionIs400() {
    assertThat(VisualizeRoutesTest.error(post("/v1/models/m/versions/x/saliency", "image/jpeg",
        IMAGE), 400)).contains("version must be a positive integer, not 'x'");
    assertThat(VisualizeRoutesTest.error(post("/v1/models/m/versions/0/classes/dog",
        "application/octet-stream", new byte[0]), 400)).contains("version must be a positive integer, not '0'");
    assertThat(VisualizeRoutesTest.error(post("/v1/models/m/versions/2/grad-cam?version=3",
        "image/jpeg", IMAGE), 400)).contains("the path names version 2 and the query version 3");
    assertThat(RECEIVED.get()).as("nothing travelled to the visualizer").isNull();
  }
}
