package io.convnet.viz;

import static io.convnet.nn.Activation.RELU;
import static io.convnet.nn.Activation.SOFTMAX;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.convnet.bundle.BundleWriter;
import io.convnet.bundle.Manifest;
import io.convnet.image.ImageDecoder;
import io.convnet.image.RgbImage;
import io.convnet.nn.Conv2D;
import io.convnet.nn.Dense;
import io.convnet.nn.Flatten;
import io.convnet.nn.MaxPooling2D;
import io.convnet.nn.Model;
import io.convnet.nn.ModelVariable;
import io.convnet.nn.Padding;
import io.convnet.nn.Sequential;
import io.convnet.testing.BundleCopies;
import io.convnet.testing.TinyBundles;
import io.convnet.viz.NetworkExplorer.Exploration;
import io.convnet.viz.NetworkExplorer.UnitWeights;
import io.convnet.viz.NetworkExplorer.Window;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The explorer's numbers against TensorFlow's: for units of every kind, the window and kernel it returns give,
 * by the tutorial's arithmetic, the very pre-activation and output TensorFlow computed in the same run.
 * The layers cover LeNet's 5x5 valid convolution, 2x2 pooling, and a 3x3 'same' convolution with stride 2
 * (uneven padding).
 */
class NetworkExplorerTest {
  static final int SIZE = 20;
  @TempDir
  static Path tmp;
  static Path bundle;
  static VisualModel model;
  static Exploration explored;

  @BeforeAll
  static void build() {
    Sequential net = Sequential.input(SIZE, SIZE, 3).name("explorable")
        .add(Conv2D.of(4, 5).activation(RELU).name("conv_1"))                            // 16x16x4, valid
        .add(MaxPooling2D.of(2).name("maxpool_1"))                                      // 8x8x4
        .add(Conv2D.of(5, 3).strides(2).padding(Padding.SAME).activation(RELU).name("conv_2"))  // 4x4x5
        .add(Flatten.of().name("flatten"))
        .add(Dense.of(6).activation(RELU).name("dense_1"))
        .add(Dense.of(3).activation(SOFTMAX).name("output"));
    bundle = tmp.resolve("explorable/1");
    try (Model m = net.build(11)) {
      Random r = new Random(5);
      for (ModelVariable v : m.variables().values()) {  // biases too, so that the bias term matters
        float[] w = new float[Math.toIntExact(v.spec().size())];
        for (int i = 0; i < w.length; i++) {
          w[i] = (float) (r.nextGaussian() * 0.3);
        }
        m.setWeight(v.name(), w);
      }
      BundleWriter.write(m, new Manifest(Manifest.FORMAT_VERSION, "explorable", 1, "test", "2026-01-01T00:00:00Z",
          null, new Manifest.Preprocessing("RESCALE", 1 / 255.0), List.of("a", "b", "c"), null, null, null, null,
          null, null), bundle);
    }
    model = VisualModel.load(bundle);
    explored = NetworkExplorer.explore(model, image(), List.of());
  }

  @AfterAll
  static void close() {
    if (model != null) {
      model.close();
    }
  }

  static RgbImage image() {
    Random r = new Random(9);
    byte[] p = new byte[SIZE * SIZE * 3];
    r.nextBytes(p);
    return new RgbImage(SIZE, SIZE, p);
  }

  @Test
  void theGraphTellsEachLayersWindowStrideAndPadding() {
    Map<String, NetworkLayers.Layer> layers = new HashMap<>();
    model.network().forEach(l -> layers.put(l.name(), l));
    assertThat(layers.get("conv_1").geometry()).isEqualTo(new LayerGeometry(5, 5, 1, 1, "valid", 0, 0, 0, 0));
    assertThat(layers.get("conv_1").activation()).isEqualTo("relu");
    assertThat(layers.get("conv_1").inputShape()).containsExactly(SIZE, SIZE, 3);
    assertThat(layers.get("maxpool_1").geometry()).isEqualTo(new LayerGeometry(2, 2, 2, 2, "valid", 0, 0, 0, 0));
    assertThat(layers.get("maxpool_1").activation()).isNull();
    // 8 -> ceil(8 / 2) = 4; padding (4 - 1) * 2 + 3 - 8 = 1, all of it after
    assertThat(layers.get("conv_2").geometry()).isEqualTo(new LayerGeometry(3, 3, 2, 2, "same", 0, 0, 1, 1));
    assertThat(layers.get("flatten").geometry()).isNull();
    assertThat(layers.get("flatten").hasWeights()).isFalse();
    assertThat(layers.get("dense_1").activation()).isEqualTo("relu");
    assertThat(layers.get("output").activation()).isEqualTo("softmax");
    assertThat(explored.inputShape()).containsExactly(SIZE, SIZE, 3);
    assertThat(explored.layers()).extracting(l -> l.layer().name())
        .containsExactly("conv_1", "maxpool_1", "conv_2", "flatten", "dense_1", "output");
    assertThat(explored.layer("maxpool_1").preactivation()).isNull();
    assertThat(explored.probabilities()).hasSize(3);
  }

  @Test
  void aConvolutionUnitIsTheSumOfWindowTimesKernelPlusBiasThenRelu() {
    for (String layer : List.of("conv_1", "conv_2")) {
      NetworkLayers.Layer l = explored.layer(layer).layer();
      int[] shape = l.outputShape();
      for (int unit = 0; unit < shape[2]; unit++) {
        UnitWeights w = NetworkExplorer.weights(model, layer, unit);
        assertThat(w.shape()).containsExactly(l.inputShape()[2], l.geometry().kernelHeight(),
            l.geometry().kernelWidth());
        for (int y = 0; y < shape[0]; y++) {
          for (int x = 0; x < shape[1]; x++) {
            Window win = NetworkExplorer.window(model, explored, layer, y, x);
            double sum = w.bias();
            for (int i = 0; i < win.values().length; i++) {
              sum += (double) win.values()[i] * w.weights()[i];
            }
            int at = (y * shape[1] + x) * shape[2] + unit;
            float preact = explored.layer(layer).preactivation()[at];
            assertThat(sum).as("%s unit %d at (%d, %d)", layer, unit, y, x).isCloseTo(preact,
                within(1e-5 * (1 + Math.abs(preact))));
            assertThat(explored.layer(layer).output()[at]).isEqualTo(Math.max(0f, preact));
          }
        }
      }
    }
    // the last window of conv_2 hangs over the bottom and right edge: padding is 0 there
    Window corner = NetworkExplorer.window(model, explored, "conv_2", 3, 3);
    assertThat(corner.below()).isEqualTo("maxpool_1");
    assertThat(corner.top()).isEqualTo(6);
    assertThat(corner.left()).isEqualTo(6);
    assertThat(corner.values()[2 * 3 + 2]).isZero();
    assertThat(NetworkExplorer.window(model, explored, "conv_1", 0, 0).below()).isEqualTo(NetworkExplorer.INPUT);
  }

  @Test
  void aPoolingUnitIsTheMaximumOfItsWindowInItsChannel() {
    float[] out = explored.layer("maxpool_1").output();
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        Window win = NetworkExplorer.window(model, explored, "maxpool_1", y, x);
        assertThat(win.top()).isEqualTo(2 * y);
        for (int c = 0; c < 4; c++) {
          float max = Float.NEGATIVE_INFINITY;
          for (int i = 0; i < 4; i++) {
            max = Math.max(max, win.values()[c * 4 + i]);
          }
          assertThat(out[(y * 8 + x) * 4 + c]).isEqualTo(max);
        }
      }
    }
  }

  @Test
  void aDenseUnitIsItsWeightsTimesTheVectorBelowPlusBias() {
    float[] in = explored.layer("flatten").output();
    float[] pre = explored.layer("dense_1").preactivation();
    for (int unit = 0; unit < 6; unit++) {
      UnitWeights w = NetworkExplorer.weights(model, "dense_1", unit);
      assertThat(w.shape()).containsExactly(in.length);
      double sum = w.bias();
      for (int i = 0; i < in.length; i++) {
        sum += (double) in[i] * w.weights()[i];
      }
      assertThat(sum).isCloseTo(pre[unit], within(1e-5 * (1 + Math.abs(pre[unit]))));
    }
  }

  @Test
  void aDigitModelIsExploredThroughItsOneChannelMnistInput(@TempDir Path dir) {
    Path digits = TinyBundles.trainedDigits(dir.resolve("models"), "digits", dir.resolve("data"));
    try (VisualModel lenet = VisualModel.load(digits)) {
      RgbImage three = ImageDecoder.standard().decode(dir.resolve("data/digits/validation/3/3.0.png"));
      Exploration e = NetworkExplorer.explore(lenet, three, List.of());
      assertThat(e.inputShape()).containsExactly(32, 32, 1);
      assertThat(e.input()).containsExactly(lenet.preprocessing().apply(three));
      assertThat(e.layer("conv_2").layer().geometry()).isEqualTo(new LayerGeometry(5, 5, 1, 1, "valid", 0, 0, 0, 0));
      for (String layer : List.of("conv_1", "conv_2")) {
        int[] shape = e.layer(layer).layer().outputShape();
        UnitWeights w = NetworkExplorer.weights(lenet, layer, 2);
        for (int y = 0; y < shape[0]; y += 3) {
          for (int x = 0; x < shape[1]; x += 3) {
            Window win = NetworkExplorer.window(lenet, e, layer, y, x);
            double sum = w.bias();
            for (int i = 0; i < win.values().length; i++) {
              sum += (double) win.values()[i] * w.weights()[i];
            }
            float preact = e.layer(layer).preactivation()[(y * shape[1] + x) * shape[2] + 2];
            assertThat(sum).as("%s (%d, %d)", layer, y, x).isCloseTo(preact, within(1e-5 * (1 + Math.abs(preact))));
          }
        }
      }
    }
  }

  @Test
  void badLayersUnitsAndBundlesAreRefusedSayingWhy() throws Exception {
    assertThatThrownBy(() -> NetworkExplorer.weights(model, "maxpool_1", 0))
        .hasMessageContaining("has no weights; layers with weights: conv_1, conv_2, dense_1, output");
    assertThatThrownBy(() -> NetworkExplorer.weights(model, "conv_1", 4))
        .hasMessageContaining("unit 4 is out of range: layer 'conv_1' has 4 units (0..3)");
    assertThatThrownBy(() -> NetworkExplorer.weights(model, "conv_9", 0))
        .hasMessageContaining("unknown layer 'conv_9'; layers of model 'explorable': conv_1, maxpool_1");
    assertThatThrownBy(() -> NetworkExplorer.window(model, explored, "dense_1", 0, 0))
        .hasMessageContaining("only convolution and pooling units");
    assertThatThrownBy(() -> NetworkExplorer.window(model, explored, "conv_1", 16, 0))
        .hasMessageContaining("outside layer 'conv_1' (16x16)");
    assertThatThrownBy(() -> NetworkExplorer.explore(model, image(), List.of("conv_1", "nope")))
        .hasMessageContaining("unknown layer 'nope'");

    // a bundle whose manifest lists signatures but no activations: nothing to explore, said so
    Path copy = BundleCopies.withoutActivations(bundle, tmp.resolve("copies"), "serving-only");
    try (VisualModel without = VisualModel.load(copy)) {
      assertThatThrownBy(() -> NetworkExplorer.explore(without, image(), List.of()))
          .hasMessageContaining("cannot be explored layer by layer: it has no 'activations' signature");
    }
  }
}
