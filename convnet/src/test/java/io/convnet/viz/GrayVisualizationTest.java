package io.convnet.viz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.convnet.image.ImageDecoder;
import io.convnet.image.RgbImage;
import io.convnet.infer.Predictor;
import io.convnet.testing.TinyBundles;
import io.convnet.viz.ActivationMaximization.FilterImage;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every visualization on a one-channel model: LeNet-5 trained on drawn digits (MNIST preprocessing, 32x32x1). */
class GrayVisualizationTest {
  static final AscentOptions QUICK = AscentOptions.DEFAULTS.withSteps(40).withJitter(2);

  @TempDir
  static Path tmp;
  static Path bundle;
  static VisualModel model;
  static RgbImage three;

  @BeforeAll
  static void train() {
    bundle = TinyBundles.trainedDigits(tmp.resolve("models"), "digits", tmp.resolve("data"));
    model = VisualModel.load(bundle);
    three = ImageDecoder.standard().decode(tmp.resolve("data/digits/validation/3/3.0.png"));
  }

  @AfterAll
  static void close() {
    model.close();
  }

  @Test
  void oneChannelFromTheManifest() {
    assertThat(model.preprocessing().channels()).isEqualTo(1);
    assertThat(model.pixels().channels()).isEqualTo(1);
    assertThat(model.pixels().low()).containsExactly(0f);
    assertThat(model.pixels().high()).containsExactly(1f);
    assertThat(model.convLayers()).containsExactly("conv_1", "conv_2");
    assertThat(model.labels()).hasSize(10);
    assertThat(model.sigmoidOutput()).isFalse();
  }

  @Test
  void featureMapsAreTheLayerOutputsOfTheNormalisedDigit() {
    var result = FeatureMaps.compute(model, three, List.of("conv_1", "maxpool_1", "conv_2"), 6);
    var conv1 = result.layers().get(0);
    assertThat(conv1.height()).isEqualTo(28);
    assertThat(conv1.channels()).isEqualTo(6);
    assertThat(result.layers().get(1).height()).isEqualTo(14);
    try (Predictor p = Predictor.open(bundle)) {
      float[] x = model.preprocessing().apply(three);
      assertThat(x).hasSize(32 * 32);
      float[] direct = p.activations(x, 1, "conv_1").get("conv_1").values();
      for (int i = 0; i < 28 * 28; i++) {
        assertThat(conv1.shown().get(5).values()[i]).isEqualTo(direct[i * 6 + 5]);
      }
      assertThat(result.probabilities()).containsExactly(p.predict(x, 1)[0]);
    }
  }

  @Test
  void filterAndClassImagesAreGrayAndClimb() {
    int[] filters = IntStream.range(0, 16).toArray();
    float[] gray = new float[32 * 32];
    java.util.Arrays.fill(gray, model.pixels().gray()[0]);
    float[] start = model.channelMeans(gray, 1, List.of("conv_2")).get(0);
    List<FilterImage> images = ActivationMaximization.filters(model, "conv_2", filters, QUICK, AscentProgress.NONE);
    int climbed = 0;
    for (FilterImage f : images) {
      assertThat(f.image().width()).isEqualTo(32);
      for (int y = 0; y < 32; y++) {
        for (int x = 0; x < 32; x++) {
          assertThat(f.image().get(x, y, 0)).isEqualTo(f.image().get(x, y, 1)).isEqualTo(f.image().get(x, y, 2));
        }
      }
      climbed += f.reached() > start[f.filter()] ? 1 : 0;
    }
    assertThat(climbed).isGreaterThanOrEqualTo(14);
    float before = model.probabilities(gray, 1)[0][3];
    var image = ClassVisualization.visualize(model, "3", QUICK, AscentProgress.NONE);
    assertThat(image.probability()).isGreaterThan(Math.max(0.5, before));
    // the first layer's bound holds on one channel too
    double[] bound = OutputBound.of(model, "conv_1");
    assertThat(bound).hasSize(6);
    for (FilterImage f : ActivationMaximization.filters(model, "conv_1", IntStream.range(0, 6).toArray(), QUICK,
        AscentProgress.NONE)) {
      assertThat(f.reached()).isLessThanOrEqualTo(bound[f.filter()] + 1e-5);
    }
    assertThat(OutputBound.bestTiling(model, "conv_1", 2, 2, 1)).hasSize(6);
  }

  @Test
  void saliencyAndGradCamLieOnTheDigit() {
    float[] input = model.preprocessing().apply(three);
    for (HeatMap map : List.of(Saliency.vanilla(model, three, "3"), Saliency.smoothGrad(model, three, "3", 8, 0.1, 1),
        GradCam.compute(model, three, "3", "conv_1"))) {
      assertThat(map.map()).hasSize(32 * 32);
      assertThat(map.input().width()).isEqualTo(32);
      assertThat(map.rawMax()).isPositive();
      double onInk = 0;
      double offInk = 0;
      int ink = 0;
      for (int i = 0; i < input.length; i++) {
        assertThat(map.map()[i]).isBetween(0f, 1f);
        if (input[i] > 0.5f) {
          onInk += map.map()[i];
          ink++;
        } else {
          offInk += map.map()[i];
        }
      }
      assertThat(onInk / ink).as(map.method()).isGreaterThan(offInk / (input.length - ink));
      assertThat(Rendering.png(map.render("3", 4))).isNotEmpty();
    }
  }

  @Test
  void naturalMaximaReadTheDigitFolderInOneChannel() {
    Path dir = NaturalMaxima.validationDir(model.manifest(), tmp.resolve("data")).orElseThrow();
    NaturalMaxima m = NaturalMaxima.compute(model, dir, 0);
    assertThat(m.images()).isEqualTo(60);
    float[] x = model.preprocessing().apply(three);
    assertThat((double) m.max("conv_1", 2)).isGreaterThanOrEqualTo(
        model.channelMeans(x, 1, List.of("conv_1")).get(0)[2] - 1e-6);
  }

  @Test
  void regularizersWorkOnOneChannel() {
    float[] in = new float[2 * 3 * 4];
    for (int i = 0; i < in.length; i++) {
      in[i] = i;
    }
    float[] out = new float[in.length];
    ImageOps.roll(in, out, 2, 3, 4, 1, 1, 2);   // two 3x4 one-channel images, down 1, right 2
    assertThat(out[(1 * 4 + 2)]).isEqualTo(in[0]);
    assertThat(out[12 + (1 * 4 + 2)]).isEqualTo(in[12]);
    float[] flat = new float[3 * 4];
    java.util.Arrays.fill(flat, 0.25f);
    ImageOps.gaussianBlur(flat, 1, 3, 4, 1, 1.0);
    for (float v : flat) {
      assertThat(v).isCloseTo(0.25f, within(1e-6f));
    }
    float[] dir = new float[12];
    ImageOps.addTotalVariationGradient(flat, dir, 1, 3, 4, model.pixels(), 1);
    assertThat(dir).containsOnly(0f);
  }
}
