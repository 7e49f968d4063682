package io.convnet.visualizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kit.ServiceException;
import io.convnet.kit.launch.RunningService;
import io.convnet.kit.testing.TestServices;
import io.convnet.proto.AscentOptions;
import io.convnet.proto.ClassOutput;
import io.convnet.proto.ConvolutionExplain;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.FeatureMaps;
import io.convnet.proto.Filters;
import io.convnet.proto.GradCam;
import io.convnet.proto.Image;
import io.convnet.proto.JobQuery;
import io.convnet.proto.LossExplain;
import io.convnet.proto.Matrix;
import io.convnet.proto.ModelRef;
import io.convnet.proto.Saliency;
import io.convnet.proto.VisualizeReply;
import io.convnet.proto.VisualizeRequest;
import io.convnet.testing.TinyBundles;
import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The visualizer over the real broker, with a small trained bundle and real images. */
@ExtendWith(KafkaBrokerExtension.class)
class VisualizerServiceTest {
  @TempDir
  static Path tmp;
  static VisualizerFixture fixture;
  static RunningService visualizer;
  static byte[] dog;

  @BeforeAll
  static void start() {
    fixture = VisualizerFixture.start(tmp, "vis-asker", Map.of(VisualizerSettings.MAX_QUEUED.name(), "1"));
    visualizer = fixture.visualizer;
    dog = fixture.dog;
  }

  @AfterAll
  static void stop() {
    if (fixture != null) {
      fixture.stop();
    }
  }

  static VisualizeReply ask(VisualizeRequest r) {
    return fixture.ask(r);
  }

  static VisualizeRequest.Builder on(byte[] image) {
    return VisualizeRequest.newBuilder().setModel(ModelRef.newBuilder().setName("bars"))
        .setImage(Image.newBuilder().setData(ByteString.copyFrom(image)).setName("dog.1.png"));
  }

  static ServiceException failure(VisualizeRequest r) {
    try {
      ask(r);
    } catch (ServiceException e) {
      return e;
    }
    throw new AssertionError("expected a failure");
  }

  static BufferedImage png(VisualizeReply r) throws Exception {
    assertThat(r.getPng().isEmpty()).isFalse();
    return ImageIO.read(new ByteArrayInputStream(r.getPng().toByteArray()));
  }

  @Test
  void featureMapsAsPngAndJson() throws Exception {
    VisualizeReply png = ask(on(dog).setFeatureMaps(FeatureMaps.getDefaultInstance()).build());
    assertThat(png.getModel().getVersion()).isEqualTo(1);
    assertThat(png(png).getWidth()).isGreaterThan(8 * 64);
    VisualizeReply json = ask(on(dog).setWantJson(true)
        .setFeatureMaps(FeatureMaps.newBuilder().addLayers("maxpool_1").setChannels(2)).build());
    JsonObject o = new JsonObject(json.getJson());
    assertThat(o.getJsonArray("layers").getJsonObject(0).getString("layer")).isEqualTo("maxpool_1");
    assertThat(o.getJsonArray("layers").getJsonObject(0).getJsonArray("shown")).hasSize(2);
    assertThat(o.getJsonArray("layers").getJsonObject(0).getJsonArray("shown").getJsonObject(0)
        .getJsonArray("values")).hasSize(16);
    assertThat(o.getJsonArray("probabilities").getDouble(1)).isGreaterThan(0.5);
  }

  @Test
  void saliencySmoothGradAndGradCam() throws Exception {
    assertThat(png(ask(on(dog).setSaliency(Saliency.getDefaultInstance()).build())).getHeight()).isGreaterThan(32);
    JsonObject smooth = new JsonObject(ask(on(dog).setWantJson(true)
        .setSaliency(Saliency.newBuilder().setSmooth(true).setSamples(4).setLabel("cat")).build()).getJson());
    assertThat(smooth.getString("method")).isEqualTo("smoothgrad");
    assertThat(smooth.getString("label")).isEqualTo("cat");
    assertThat(smooth.getJsonArray("map")).hasSize(TinyBundles.SIZE);
    JsonObject cam = new JsonObject(ask(on(dog).setWantJson(true).setGradCam(GradCam.getDefaultInstance()).build())
        .getJson());
    assertThat(cam.getString("method")).isEqualTo("grad-cam");
    assertThat(cam.getString("layer")).isEqualTo("conv_2");
    assertThat(cam.getString("label")).isEqualTo("dog");
    assertThat(png(ask(on(dog).setGradCam(GradCam.newBuilder().setLayer("conv_1")).build())).getWidth())
        .isGreaterThan(3 * 32);
  }

  @Test
  void explainersGiveExactNumbers() {
    Matrix input = Matrix.newBuilder().setRows(3).setCols(3).addAllValues(java.util.List.of(
        1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 10.0)).build();
    JsonObject conv = new JsonObject(ask(VisualizeRequest.newBuilder().setWantJson(true).setConvolution(
        ConvolutionExplain.newBuilder().setKernel("box-blur").setInput(input).setPadding("same")).build()).getJson());
    // centre: (1 + 2 + ... + 8 + 10) / 9 = 46 / 9; corner (0,0): (1 + 2 + 4 + 5) / 9 = 12 / 9
    assertThat(conv.getJsonArray("featureMap").getJsonArray(1).getDouble(1)).isEqualTo(46 / 9.0);
    assertThat(conv.getJsonArray("featureMap").getJsonArray(0).getDouble(0)).isEqualTo(12 / 9.0);
    assertThat(conv.getJsonArray("pooled")).hasSize(2);
    assertThat(conv.getJsonObject("kernel").getInteger("divisor")).isEqualTo(9);
    JsonObject loss = new JsonObject(ask(VisualizeRequest.newBuilder().setLoss(LossExplain.newBuilder()
        .setPredicted(Matrix.newBuilder().setRows(2).setCols(2).addAllValues(java.util.List.of(0.25, 0.75, 0.5, 0.5)))
        .setLabels(Matrix.newBuilder().setRows(2).setCols(2).addAllValues(java.util.List.of(0.0, 1.0, 0.0, 1.0))))
        .build()).getJson());
    assertThat(loss.getDouble("meanSquaredError")).isEqualTo((0.125 + 0.5) / 2);
    assertThat(loss.getDouble("classificationError")).isEqualTo(0.5);
    assertThat(loss.getDouble("crossEntropy")).isEqualTo((-Math.log(0.75) - Math.log(0.5)) / 2);
  }

  @Test
  void activationMaximizationRunsAsAJobWithTheSameKeyForStartAndQueries() throws Exception {
    VisualizeRequest start = VisualizeRequest.newBuilder().setModel(ModelRef.newBuilder().setName("bars"))
        .setJobId("filters-000000000000000000000001").setFilters(Filters.newBuilder().addLayers("conv_2")
            .addFilters(1).addFilters(3).setAscent(AscentOptions.newBuilder().setSteps(20))).build();
    VisualizeReply started = ask(start);
    assertThat(started.getJobId()).isEqualTo(start.getJobId());
    assertThat(started.getJobState()).isIn("queued", "running", "done");
    VisualizeRequest status = VisualizeRequest.newBuilder().setJobId(start.getJobId())
        .setJob(JobQuery.getDefaultInstance()).build();
    VisualizeReply s = ask(status);
    long until = System.nanoTime() + 60_000_000_000L;
    while (!s.getJobState().equals("done") && System.nanoTime() < until) {
      assertThat(s.getJobState()).isNotEqualTo("failed");
      Thread.sleep(100);
      s = ask(status);
    }
    assertThat(s.getJobState()).isEqualTo("done");
    assertThat(s.getProgress()).isEqualTo(1.0);
    BufferedImage grid = png(ask(status.toBuilder().setJob(JobQuery.newBuilder().setResult(true)).build()));
    assertThat(grid.getWidth()).isGreaterThan(2 * 64);
    JsonObject json = new JsonObject(ask(status.toBuilder().setWantJson(true)
        .setJob(JobQuery.newBuilder().setResult(true)).build()).getJson());
    var filters = json.getJsonArray("filters");
    assertThat(filters).hasSize(2);
    JsonObject f = filters.getJsonObject(1);
    assertThat(f.getInteger("filter")).isEqualTo(3);
    assertThat(f.getDouble("reached")).isNotNull();
    assertThat(f.getDouble("naturalMax")).isNotNull();
    assertThat(f.getString("png")).isNotEmpty();
    assertThat(json.getJsonObject("naturalMaxima").getInteger("images")).isEqualTo(32);
    assertThat(Files.exists(tmp.resolve("cache/bars/1/natural-maxima.json"))).isTrue();
    // another id, same parameters: answered from the result cache at once
    VisualizeReply cached = ask(start.toBuilder().setJobId("filters-000000000000000000000002").build());
    assertThat(cached.getJobState()).isEqualTo("done");

    VisualizeRequest cls = VisualizeRequest.newBuilder().setModel(ModelRef.newBuilder().setName("bars"))
        .setJobId("class-000000000000000000000001").setClassOutput(ClassOutput.newBuilder().setLabel("cat")
            .setAscent(AscentOptions.newBuilder().setSteps(10))).build();
    ask(cls);
    VisualizeRequest clsStatus = VisualizeRequest.newBuilder().setJobId(cls.getJobId())
        .setJob(JobQuery.getDefaultInstance()).build();
    until = System.nanoTime() + 60_000_000_000L;
    while (!ask(clsStatus).getJobState().equals("done") && System.nanoTime() < until) {
      Thread.sleep(100);
    }
    JsonObject c = new JsonObject(ask(clsStatus.toBuilder().setWantJson(true).setJob(JobQuery.newBuilder()
        .setResult(true)).build()).getJson());
    assertThat(c.getString("label")).isEqualTo("cat");
    assertThat(c.getDouble("probability")).isBetween(0.0, 1.0);
  }

  @Test
  void beyondTheQueueAStartIsBusy() {
    // one running and one queued are allowed (MAX_JOBS 1, MAX_QUEUED 1): the third distinct job is refused
    ServiceException busy = null;
    for (int i = 0; i < 3 && busy == null; i++) {
      VisualizeRequest r = VisualizeRequest.newBuilder().setModel(ModelRef.newBuilder().setName("bars"))
          .setJobId("filters-00000000000000000000010" + i).setFilters(Filters.newBuilder().addLayers("conv_1")
              .setCount(2).setAscent(AscentOptions.newBuilder().setSteps(150).setSeed(100 + i))).build();
      try {
        ask(r);
      } catch (ServiceException e) {
        busy = e;
      }
    }
    assertThat(busy).isNotNull();
    assertThat(busy.code()).isEqualTo(ErrorCode.BUSY);
  }

  @Test
  void imageReferencesStayUnderTheDataRootEvenThroughSymbolicLinks() throws Exception {
    Path secret = Files.writeString(tmp.resolve("secret.txt"), "TOP-SECRET-CONTENT");
    Files.createSymbolicLink(tmp.resolve("data/escape.png"), secret);
    Files.createSymbolicLink(tmp.resolve("data/escape-dir"), tmp);
    for (String reference : new String[] {"escape.png", "escape-dir/secret.txt", "../secret.txt"}) {
      ServiceException refused = failure(VisualizeRequest.newBuilder().setModel(ModelRef.newBuilder().setName("bars"))
          .setImage(Image.newBuilder().setReference(reference)).setFeatureMaps(FeatureMaps.getDefaultInstance()).build());
      assertThat(refused.code()).as(reference).isEqualTo(ErrorCode.INVALID_ARGUMENT);
      assertThat(refused.getMessage()).as(reference).contains("outside the data root").doesNotContain("TOP-SECRET");
    }
    VisualizeReply byReference = ask(VisualizeRequest.newBuilder().setModel(ModelRef.newBuilder().setName("bars"))
        .setImage(Image.newBuilder().setReference("bars/validation/dog/dog.1.png"))
        .setFeatureMaps(FeatureMaps.getDefaultInstance()).build());
    assertThat(png(byReference).getWidth()).isGreaterThan(8 * 64);
  }

  @Test
  void badRequestsGetClearErrorsAndTheServiceStaysUp() {
    assertThat(failure(VisualizeRequest.getDefaultInstance()).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    ServiceException unknownLayer = failure(on(dog).setFeatureMaps(FeatureMaps.newBuilder().addLayers("conv_9")).build());
    assertThat(unknownLayer.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(unknownLayer.getMessage()).contains("unknown layer 'conv_9'").contains("conv_1, maxpool_1");
    assertThat(failure(on(new byte[] {1, 2, 3}).setSaliency(Saliency.getDefaultInstance()).build()).getMessage())
        .contains("cannot decode the image").contains("not a JPEG or PNG");
    assertThat(failure(on(dog).setGradCam(GradCam.newBuilder().setLayer("dense_1")).build()).getMessage())
        .contains("not a convolution");
    VisualizeRequest.Builder filters = VisualizeRequest.newBuilder().setModel(ModelRef.newBuilder().setName("bars"))
        .setJobId("filters-0000000000000000000000ff");
    assertThat(failure(filters.setFilters(Filters.newBuilder().addLayers("conv_1").addFilters(99)).build()).getMessage())
        .isEqualTo("filter 99 is out of range: layer 'conv_1' has 8 filters (0..7)");
    assertThat(failure(filters.setFilters(Filters.newBuilder().addLayers("flatten")).build()).getMessage())
        .contains("not a convolution");
    assertThat(failure(filters.setFilters(Filters.newBuilder().setAscent(AscentOptions.newBuilder().setSteps(99999)))
        .build()).getMessage()).contains("steps must be 1..1000");
    assertThat(failure(filters.setClassOutput(ClassOutput.newBuilder().setLabel("horse")).build()).getMessage())
        .contains("unknown label 'horse'");
    Matrix tiny = Matrix.newBuilder().setRows(1).setCols(2).addValues(1).addValues(2).build();
    assertThat(failure(VisualizeRequest.newBuilder().setConvolution(ConvolutionExplain.newBuilder()
        .setKernel("edge3").setInput(tiny)).build()).getMessage()).contains("larger than the input");
    assertThat(failure(VisualizeRequest.newBuilder().setConvolution(ConvolutionExplain.newBuilder()
        .setKernel("edge3").setInput(Matrix.newBuilder().setRows(2).setCols(2).addValues(1))).build()).getMessage())
        .contains("2x2 but has 1 values");
    ServiceException missing = failure(on(dog).setModel(ModelRef.newBuilder().setName("nope"))
        .setFeatureMaps(FeatureMaps.getDefaultInstance()).build());
    assertThat(missing.code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(missing.getMessage()).contains("known models: bars");
    assertThat(failure(on(dog).setModel(ModelRef.newBuilder().setName("bars").setVersion(7))
        .setFeatureMaps(FeatureMaps.getDefaultInstance()).build()).getMessage()).contains("no version 7; versions: [1]");
    assertThat(failure(VisualizeRequest.newBuilder().setJobId("filters-123").setJob(JobQuery.getDefaultInstance())
        .build()).code()).isEqualTo(ErrorCode.NOT_FOUND);
    // still serving
    assertThat(ask(on(dog).setWantJson(true).setFeatureMaps(FeatureMaps.getDefaultInstance()).build()).getJson())
        .contains("conv_1");
    assertThat(TestServices.get(visualizer.httpPort(), "/health/ready").statusCode()).isEqualTo(200);
  }
}
