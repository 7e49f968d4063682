package io.convnet.viz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convnet.image.ImageDecoder;
import io.convnet.image.RgbImage;
import io.convnet.infer.Predictor;
import io.convnet.nn.GraphNames;
import io.convnet.testing.TinyBundles;
import io.convnet.viz.ActivationMaximization.FilterImage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every visualization on a small trained bundle (bars on the left = cat, on the right = dog). */
class VisualizationTest {
  static final int SIZE = TinyBundles.SIZE;
  static final AscentOptions QUICK = AscentOptions.DEFAULTS.withSteps(40);

  @TempDir
  static Path tmp;
  static Path bundle;
  static VisualModel model;
  static RgbImage dog;
  static RgbImage cat;

  @BeforeAll
  static void train() {
    bundle = TinyBundles.trained(tmp.resolve("models"), "bars", tmp.resolve("data"));
    model = VisualModel.load(bundle);
    dog = ImageDecoder.standard().decode(tmp.resolve("data/bars/validation/dog/dog.0.png"));
    cat = ImageDecoder.standard().decode(tmp.resolve("data/bars/validation/cat/cat.0.png"));
  }

  @AfterAll
  static void close() {
    model.close();
  }

  @Test
  void layerFactsComeFromTheManifest() {
    assertThat(model.convLayers()).containsExactly("conv_1", "conv_2");
    assertThat(model.lastConvOfEachBlock()).containsExactly("conv_1", "conv_2");
    assertThat(model.channels("conv_2")).isEqualTo(8);
    assertThat(model.sigmoidOutput()).isTrue();
    assertThat(model.classWeights(1)).containsExactly(1f);
    assertThat(model.classWeights(0)).containsExactly(-1f);
    assertThatThrownBy(() -> model.layer("conv_9")).hasMessageContaining("unknown layer 'conv_9'")
        .hasMessageContaining("conv_1, maxpool_1, conv_2");
    assertThatThrownBy(() -> model.convLayer("dense_1")).hasMessageContaining("not a convolution; conv layers: conv_1, conv_2");
    assertThatThrownBy(() -> model.classIndex("horse")).hasMessageContaining("labels of model 'bars': cat, dog");
  }

  @Test
  void eachImageOfABatchGetsItsOwnGradient() {
    float[] a = model.preprocessing().apply(dog);
    float[] b = model.preprocessing().apply(cat);
    float[] both = new float[a.length * 2];
    System.arraycopy(a, 0, both, 0, a.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    float[] w1 = new float[8];
    w1[3] = 1;
    float[] w2 = new float[16];
    w2[3] = 1;       // image 0: filter 3
    w2[8 + 5] = 1;   // image 1: filter 5
    float[] alone = model.gradient(List.of("conv_2"), a, 1, List.of(w1)).inputGradient();
    var batched = model.gradient(List.of("conv_2"), both, 2, List.of(w2));
    for (int i = 0; i < a.length; i++) {
      assertThat(batched.inputGradient()[i]).isCloseTo(alone[i], org.assertj.core.api.Assertions.within(1e-5f));
    }
    // the channel means are the layer output's spatial means
    var act = model.activations(a, 1, List.of("conv_2")).get("conv_2");
    double mean = 0;
    for (int p = 0; p < act.values().length / 8; p++) {
      mean += act.values()[p * 8 + 3];
    }
    assertThat(batched.means().get(0)[3]).isCloseTo((float) (mean / (act.values().length / 8)),
        org.assertj.core.api.Assertions.within(1e-4f));
  }

  @Test
  void ascentRaisesEveryFiltersActivationFarAboveTheGrayStart() {
    int[] filters = IntStream.range(0, 8).toArray();
    List<FilterImage> images = ActivationMaximization.filters(model, "conv_2", filters, QUICK, AscentProgress.NONE);
    assertThat(images).hasSize(8);
    float[] gray = new float[SIZE * SIZE * 3];
    java.util.Arrays.fill(gray, model.pixels().gray()[0]);
    float[] start = model.channelMeans(gray, 1, List.of("conv_2")).get(0);
    int progressed[] = {0};
    for (FilterImage f : images) {
      assertThat(f.layer()).isEqualTo("conv_2");
      assertThat(f.image().width()).isEqualTo(SIZE);
      if (!f.preactivation()) {
        assertThat(f.reached()).as("filter %d", f.filter()).isGreaterThan(start[f.filter()]);
      }
    }
    ActivationMaximization.filters(model, "conv_1", new int[] {0, 1}, QUICK.withSteps(5), (done, total) -> {
      assertThat(total).isEqualTo(5);
      progressed[0] = done;
    });
    assertThat(progressed[0]).isEqualTo(5);
    // the same seed gives the same image
    assertThat(ActivationMaximization.filters(model, "conv_2", new int[] {1}, QUICK.withSteps(5), AscentProgress.NONE)
        .get(0).image()).isEqualTo(ActivationMaximization.filters(model, "conv_2", new int[] {1}, QUICK.withSteps(5),
        AscentProgress.NONE).get(0).image());
  }

  @Test
  void classVisualizationClimbsTheLogitAndItsNegative() {
    float[] gray = new float[SIZE * SIZE * 3];
    java.util.Arrays.fill(gray, model.pixels().gray()[0]);
    float[] start = model.probabilities(gray, 1)[0];
    var dogImage = ClassVisualization.visualize(model, "dog", QUICK, AscentProgress.NONE);
    var catImage = ClassVisualization.visualize(model, "cat", QUICK, AscentProgress.NONE);
    assertThat(dogImage.probability()).isGreaterThan(Math.max(0.5, start[1]));
    assertThat(catImage.probability()).isGreaterThan(Math.max(0.5, start[0]));
    assertThat(dogImage.logit()).isPositive();
    assertThat(catImage.index()).isZero();
  }

  @Test
  void badAscentRequestsAreRefused() {
    assertThatThrownBy(() -> ActivationMaximization.filters(model, "conv_2", new int[] {8}, QUICK, AscentProgress.NONE))
        .hasMessage("filter 8 is out of range: layer 'conv_2' has 8 filters (0..7)");
    assertThatThrownBy(() -> ActivationMaximization.filters(model, "dense_1", new int[] {0}, QUICK, AscentProgress.NONE))
        .hasMessageContaining("not a convolution");
    assertThatThrownBy(() -> QUICK.withSteps(100_000)).hasMessageContaining("steps must be 1..1000");
    assertThatThrownBy(() -> QUICK.withStepSize(-1)).hasMessageContaining("stepSize");
  }

  @Test
  void featureMapsAreTheLayerOutputs() {
    var result = FeatureMaps.compute(model, dog, List.of(), 4);
    assertThat(result.layers()).extracting(FeatureMaps.LayerMaps::layer).containsExactly("conv_1", "conv_2");
    var conv1 = result.layers().get(0);
    assertThat(conv1.height()).isEqualTo(SIZE);
    assertThat(conv1.shown()).hasSize(4);
    try (Predictor p = Predictor.open(bundle)) {
      var direct = p.activations(p.manifest() == null ? null : model.preprocessing().apply(dog), 1, "conv_1")
          .get("conv_1").values();
      for (int i = 0; i < SIZE * SIZE; i++) {
        assertThat(conv1.shown().get(2).values()[i]).isEqualTo(direct[i * 8 + 2]);
      }
      assertThat(result.probabilities()).containsExactly(p.predict(model.preprocessing().apply(dog), 1)[0]);
    }
    assertThat(FeatureMaps.compute(model, dog, List.of("maxpool_1"), 64).layers().get(0).shown()).hasSize(8);
    assertThatThrownBy(() -> FeatureMaps.compute(model, dog, List.of("dense_1"), 4))
        .hasMessageContaining("no feature maps").hasMessageContaining("conv_1, maxpool_1, conv_2, maxpool_2");
    assertThatThrownBy(() -> FeatureMaps.compute(model, dog, List.of(), 0)).hasMessageContaining("channels must be 1..64");
    BufferedImage png = decode(Rendering.png(FeatureMaps.render("bars", result, 48)));
    assertThat(png.getWidth()).isGreaterThan(4 * 48);
  }

  @Test
  void saliencyAndGradCamLookAtTheBar() {
    // dog.0: the white bar is at x = 3/4 of the width, 1/5 wide
    for (HeatMap map : List.of(Saliency.vanilla(model, dog, null),
        Saliency.smoothGrad(model, dog, "dog", 8, 0.15, 1),
        GradCam.compute(model, dog, "dog", null))) {
      assertThat(map.label()).isEqualTo("dog");
      assertThat(map.map()).hasSize(SIZE * SIZE);
      for (float v : map.map()) {
        assertThat(v).isBetween(0f, 1f);
      }
      assertThat(map.rawMax()).isPositive();
      BufferedImage png = decode(Rendering.png(map.render("dog", 2)));
      assertThat(png.getWidth()).isGreaterThan(3 * SIZE * 2);
    }
    assertThat(GradCam.compute(model, dog, null, null).method()).isEqualTo("grad-cam conv_2");
    assertThatThrownBy(() -> GradCam.compute(model, dog, null, "dense_1")).hasMessageContaining("not a convolution");
    assertThatThrownBy(() -> Saliency.smoothGrad(model, dog, null, 0, 0.1, 1)).hasMessageContaining("samples must be");
  }

  @Test
  void naturalMaximaAreTheLargestChannelMeansOverTheValidationImages() throws Exception {
    Path dir = NaturalMaxima.validationDir(model.manifest(), tmp.resolve("data")).orElseThrow();
    assertThat(dir).isEqualTo(tmp.resolve("data/bars/validation"));
    // a data root whose data set is a symbolic link leading out of it has no validation folder
    Path otherRoot = Files.createDirectories(tmp.resolve("other-root"));
    Files.createSymbolicLink(otherRoot.resolve("bars"), tmp.resolve("data/bars"));
    assertThat(NaturalMaxima.validationDir(model.manifest(), otherRoot)).isEmpty();
    Path cache = tmp.resolve("cache");
    NaturalMaxima m = NaturalMaxima.loadOrCompute(model, dir, 0, cache);
    assertThat(m.images()).isEqualTo(32);
    float best = Float.NEGATIVE_INFINITY;
    try (var files = Files.walk(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".png")).toList()) {
        float[] x = model.preprocessing().apply(ImageDecoder.standard().decode(f));
        best = Math.max(best, model.channelMeans(x, 1, List.of("conv_2")).get(0)[4]);
      }
    }
    assertThat((float) m.max("conv_2", 4)).isCloseTo(best, org.assertj.core.api.Assertions.within(1e-5f));
    assertThat(Files.exists(cache.resolve(NaturalMaxima.CACHE_FILE))).isTrue();
    assertThat(NaturalMaxima.loadOrCompute(model, dir, 0, cache).maxima().get("conv_2")).containsExactly(
        m.maxima().get("conv_2"));
    assertThat(m.max("conv_9", 0)).isNaN();
  }

  @Test
  void noImageExceedsTheFirstLayersOutputBound() {
    double[] bound = OutputBound.of(model, "conv_1");
    assertThat(bound).hasSize(model.channels("conv_1"));
    int[] filters = IntStream.range(0, bound.length).toArray();
    for (FilterImage f : ActivationMaximization.filters(model, "conv_1", filters, QUICK, AscentProgress.NONE)) {
      assertThat(f.reached()).as("filter %d", f.filter()).isLessThanOrEqualTo(bound[f.filter()] + 1e-5);
    }
    // so do white, black and random black-and-white images
    float[] x = new float[3 * SIZE * SIZE * 3];
    java.util.Random r = new java.util.Random(5);
    for (int j = 0; j < x.length; j++) {
      x[j] = j < x.length / 3 ? model.pixels().high()[j % 3] : j < 2 * x.length / 3 ? model.pixels().low()[j % 3]
          : r.nextBoolean() ? model.pixels().high()[j % 3] : model.pixels().low()[j % 3];
    }
    float[] means = model.channelMeans(x, 3, List.of("conv_1")).get(0);
    for (int i = 0; i < means.length; i++) {
      assertThat((double) means[i]).isLessThanOrEqualTo(bound[i % bound.length] + 1e-5);
    }
    assertThat(OutputBound.applies(model, "conv_2")).isFalse();
    assertThatThrownBy(() -> OutputBound.of(model, "conv_2")).hasMessageContaining("does not read the model input");
  }

  private static BufferedImage decode(byte[] png) {
    try {
      return ImageIO.read(new ByteArrayInputStream(png));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static {
    assertThat(GraphNames.LOGITS).isEqualTo("logits");
  }
}
