package io.convnet.visualizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.protobuf.ByteString;
import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kit.ServiceException;
import io.convnet.kit.testing.TestServices;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.Explore;
import io.convnet.proto.Image;
import io.convnet.proto.LayerWeights;
import io.convnet.proto.ModelRef;
import io.convnet.proto.UnitWindow;
import io.convnet.proto.VisualizeRequest;
import io.convnet.testing.BundleCopies;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The explorer's kinds over the real broker, on a small trained bundle (3x3 'same' convolutions, 2x2 pooling). */
@ExtendWith(KafkaBrokerExtension.class)
class ExploreServiceTest {
  @TempDir
  static Path tmp;
  static VisualizerFixture fixture;
  static byte[] dog;

  @BeforeAll
  static void start() {
    fixture = VisualizerFixture.start(tmp, "explore-asker", Map.of());
    BundleCopies.withoutActivations(fixture.store.resolve("bars/1"), fixture.store, "serving-only");
    dog = fixture.dog;
  }

  @AfterAll
  static void stop() {
    if (fixture != null) {
      fixture.stop();
    }
  }

  static JsonObject ask(VisualizeRequest r) {
    return new JsonObject(fixture.ask(r).getJson());
  }

  static ServiceException failure(VisualizeRequest r) {
    try {
      ask(r);
    } catch (ServiceException e) {
      return e;
    }
    throw new AssertionError("expected a failure");
  }

  static VisualizeRequest explore(Explore.Builder e) {
    return VisualizeRequest.newBuilder().setModel(ModelRef.newBuilder().setName("bars"))
        .setImage(Image.newBuilder().setData(ByteString.copyFrom(dog))).setExplore(e).build();
  }

  static VisualizeRequest weights(String layer, int unit) {
    return VisualizeRequest.newBuilder().setModel(ModelRef.newBuilder().setName("bars"))
        .setLayerWeights(LayerWeights.newBuilder().setLayer(layer).setUnit(unit)).build();
  }

  static float[] floats(JsonObject maps) {
    ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder().decode(maps.getString("data"))).order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[b.remaining() / 4];
    b.asFloatBuffer().get(out);
    return out;
  }

  static JsonObject layer(JsonObject answer, String name) {
    return answer.getJsonArray("layers").stream().map(JsonObject.class::cast)
        .filter(l -> l.getString("name").equals(name)).findFirst().orElseThrow();
  }

  @Test
  void everyLayerComesInOneAnswerAndItsNumbersAddUp() {
    JsonObject a = ask(explore(Explore.newBuilder()));
    assertThat(a.getJsonArray("layers").stream().map(l -> ((JsonObject) l).getString("name")))
        .containsExactly("conv_1", "maxpool_1", "conv_2", "maxpool_2", "flatten", "dropout", "dense_1", "output");
    assertThat(a.getString("encoding")).isEqualTo("float32");
    assertThat(a.getJsonObject("input").getJsonArray("shape")).containsExactly(32, 32, 3);
    assertThat(a.getJsonObject("predicted").getString("label")).isEqualTo("dog");
    assertThat(a.getJsonObject("timings").getDouble("runMs")).isPositive();
    JsonObject conv2 = layer(a, "conv_2");
    assertThat(conv2.getString("activation")).isEqualTo("relu");
    assertThat(conv2.getJsonObject("geometry").encode()).isEqualTo("{\"kernel\":[3,3],\"stride\":[1,1],"
        + "\"padding\":\"same\",\"pads\":{\"top\":1,\"left\":1,\"bottom\":1,\"right\":1}}");
    assertThat(conv2.getJsonObject("channels").encode()).isEqualTo("{\"first\":0,\"count\":8}");
    float[] below = floats(layer(a, "maxpool_1").getJsonObject("output"));  // [8][16][16]
    float[] pre = floats(conv2.getJsonObject("preactivation"));              // [8][16][16]
    float[] post = floats(conv2.getJsonObject("output"));

    // unit (channel 3, y 0, x 5) of conv_2: the tutorial's arithmetic on the answer's numbers
    JsonObject w = ask(weights("conv_2", 3));
    assertThat(w.getJsonArray("shape")).containsExactly(8, 3, 3);
    JsonArray kernel = w.getJsonArray("weights");
    double sum = w.getDouble("bias");
    for (int c = 0; c < 8; c++) {
      for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 3; j++) {
          int r = -1 + i;  // top row of the window at y 0 with one row of padding
          int col = 5 - 1 + j;
          float v = r < 0 ? 0 : below[(c * 16 + r) * 16 + col];
          sum += v * kernel.getJsonArray(c).getJsonArray(i).getDouble(j);
        }
      }
    }
    int at = (3 * 16) * 16 + 5;
    assertThat(sum).isCloseTo(pre[at], within(1e-4));
    assertThat(post[at]).isEqualTo(Math.max(0, pre[at]));
    assertThat(w.getJsonArray("strongest")).hasSize(10);
    assertThat(Math.abs(w.getJsonArray("strongest").getJsonObject(0).getDouble("weight")))
        .isGreaterThanOrEqualTo(Math.abs(w.getJsonArray("strongest").getJsonObject(9).getDouble("weight")));

    // the same unit's window, asked for: every channel of the layer below, padding as 0
    JsonObject windowed = ask(explore(Explore.newBuilder().addLayers("conv_2").setFirstChannel(3).setChannels(1)
        .setWindow(UnitWindow.newBuilder().setLayer("conv_2").setY(0).setX(5))));
    assertThat(windowed.getJsonArray("layers")).hasSize(1);
    JsonObject win = windowed.getJsonObject("window");
    assertThat(win.getString("below")).isEqualTo("maxpool_1");
    assertThat(win.getInteger("top")).isEqualTo(-1);
    assertThat(win.getInteger("left")).isEqualTo(4);
    float[] values = floats(win.getJsonObject("values"));
    assertThat(values).hasSize(8 * 9);
    assertThat(values[0]).isZero();
    assertThat(values[3]).isEqualTo(below[4]);  // channel 0, window row 1 = row 0, column 4
    assertThat(floats(layer(windowed, "conv_2").getJsonObject("preactivation"))).containsExactly(
        java.util.Arrays.copyOfRange(pre, 3 * 256, 4 * 256));
  }

  @Test
  void uint8MapsAreAQuarterOfTheBytesWithinAStepOfTheTruth() {
    JsonObject exact = ask(explore(Explore.newBuilder().addLayers("conv_1").setChannels(2)));
    JsonObject small = ask(explore(Explore.newBuilder().addLayers("conv_1").setChannels(2).setEncoding("uint8")));
    JsonObject q = layer(small, "conv_1").getJsonObject("output");
    float[] truth = floats(layer(exact, "conv_1").getJsonObject("output"));
    byte[] codes = Base64.getDecoder().decode(q.getString("data"));
    assertThat(codes).hasSize(truth.length);
    for (int k = 0; k < 2; k++) {
      double min = q.getJsonArray("min").getDouble(k);
      double step = (q.getJsonArray("max").getDouble(k) - min) / 255;
      for (int p = 0; p < 32 * 32; p++) {
        assertThat(min + (codes[k * 1024 + p] & 0xff) * step).isCloseTo(truth[k * 1024 + p], within(step / 2 + 1e-6));
      }
    }
  }

  @Test
  void badLayersUnitsImagesSizesAndModelsWithoutActivationsAreRefused() {
    assertThat(failure(weights("maxpool_1", 0)).getMessage())
        .contains("layer 'maxpool_1' (MaxPooling2D) has no weights; layers with weights: conv_1, conv_2, dense_1, output");
    assertThat(failure(weights("conv_1", 8)).getMessage())
        .isEqualTo("unit 8 is out of range: layer 'conv_1' has 8 units (0..7)");
    assertThat(failure(weights("conv_7", 0)).getMessage()).contains("unknown layer 'conv_7'");
    assertThat(failure(explore(Explore.newBuilder().addLayers("conv_7"))).getMessage())
        .contains("unknown layer 'conv_7'; layers of model 'bars': conv_1, maxpool_1");
    assertThat(failure(explore(Explore.newBuilder().setWindow(UnitWindow.newBuilder().setLayer("dense_1"))))
        .getMessage()).contains("only convolution and pooling units");
    assertThat(failure(explore(Explore.newBuilder().setWindow(UnitWindow.newBuilder().setLayer("conv_1").setY(32))))
        .getMessage()).contains("outside layer 'conv_1' (32x32)");
    assertThat(failure(explore(Explore.newBuilder().setEncoding("png"))).getMessage())
        .contains("encoding must be float32 or uint8");
    assertThat(failure(explore(Explore.newBuilder().setChannels(65))).getMessage()).contains("channels must be 1..64");
    ServiceException notAnImage = failure(VisualizeRequest.newBuilder().setModel(ModelRef.newBuilder().setName("bars"))
        .setImage(Image.newBuilder().setData(ByteString.copyFromUtf8("not an image"))).setExplore(Explore.newBuilder())
        .build());
    assertThat(notAnImage.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(notAnImage.getMessage()).contains("not a JPEG or PNG");
    ServiceException servingOnly = failure(VisualizeRequest.newBuilder()
        .setModel(ModelRef.newBuilder().setName("serving-only")).setImage(Image.newBuilder()
            .setData(ByteString.copyFrom(dog))).setExplore(Explore.newBuilder()).build());
    assertThat(servingOnly.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(servingOnly.getMessage()).contains("model 'serving-only' v1 cannot be explored layer by layer",
        "no 'activations' signature");
    assertThat(failure(weights("conv_1", 0).toBuilder().setModel(ModelRef.newBuilder().setName("nope")).build()).code())
        .isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(TestServices.get(fixture.visualizer.httpPort(), "/health/ready").statusCode()).isEqualTo(200);
  }
}
