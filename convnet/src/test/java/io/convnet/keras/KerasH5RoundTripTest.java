package io.convnet.keras;

import static io.convnet.testing.FloatArrays.assertIdentical;
import static org.assertj.core.api.Assertions.assertThat;

import io.convnet.arch.Vgg16;
import io.convnet.nn.Model;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** VGG16 (32x32 input: the real 14.7M-parameter base) written in Keras' layouts and read back. */
class KerasH5RoundTripTest {
  static final int SIZE = 32;
  static float[] images;

  @TempDir
  Path tmp;

  @BeforeAll
  static void images() {
    Random r = new Random(7);
    images = new float[3 * SIZE * SIZE * 3];
    for (int i = 0; i < images.length; i++) {
      images[i] = (float) (r.nextGaussian() * 60);
    }
  }

  @Test
  void aModelWrittenInKerasLayoutImportsIntoAFreshModelWithIdenticalPredictions() {
    Path h5 = tmp.resolve("vgg16_cats.h5");
    float[][] expected;
    Map<String, float[]> weightsA;
    try (Model a = Vgg16.withHead(SIZE, SIZE, 3).build(1)) {
      KerasH5Writer.write(a, h5, KerasH5Writer.Options.APPLICATIONS);
      expected = a.predict(images, 3);
      weightsA = a.weights();
    }
    try (Model b = Vgg16.withHead(SIZE, SIZE, 3).build(2)) {
      assertThat(b.predict(images, 3)[0]).isNotEqualTo(expected[0]);
      KerasWeightImporter.Report r = KerasWeightImporter.load(b, h5);
      assertThat(r.loaded()).hasSize(15).startsWith("block1_conv1").endsWith("dense_1", "output");
      assertThat(r.ignored()).isEmpty();
      weightsA.forEach((name, values) -> assertIdentical(name, b.weight(name), values));
      assertThat(b.predict(images, 3)).isDeepEqualTo(expected);
    }
    try (KerasWeightsFile f = KerasWeightsFile.open(h5)) {
      assertThat(f.fileLayerNames()).startsWith("input_1", "block1_conv1", "block1_conv2", "block1_pool");
      assertThat(f.layers().get("block1_conv1")).extracting(KerasWeight::name, KerasWeight::path)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("block1_conv1/kernel:0",
              "block1_conv1/block1_conv1/kernel:0"), org.assertj.core.groups.Tuple.tuple("block1_conv1/bias:0",
              "block1_conv1/block1_conv1/bias:0"));
      assertThat(f.layers().get("block5_conv3").get(0).shape()).containsExactly(3, 3, 512, 512);
    }
  }

  @Test
  void savedModelLayoutAndKeras1NamesRoundTripToo() {
    for (KerasH5Writer.Options o : new KerasH5Writer.Options[] {KerasH5Writer.Options.SAVED_MODEL,
        new KerasH5Writer.Options(KerasH5Writer.Naming.KERAS1, false, false)}) {
      Path h5 = tmp.resolve(o.naming() + "-" + o.savedModel() + ".h5");
      float[][] expected;
      try (Model a = io.convnet.testing.TinyModels.cnn(16, 2).build(3)) {
        KerasH5Writer.write(a, h5, o);
        expected = a.predict(java.util.Arrays.copyOf(images, 16 * 16 * 3), 1);
      }
      try (Model b = io.convnet.testing.TinyModels.cnn(16, 2).build(4)) {
        KerasWeightImporter.load(b, h5);
        assertThat(b.predict(java.util.Arrays.copyOf(images, 16 * 16 * 3), 1)).as(o.toString())
            .isDeepEqualTo(expected);
      }
      try (KerasWeightsFile f = KerasWeightsFile.open(h5)) {
        assertThat(f.layout()).isEqualTo(o.savedModel() ? KerasWeightsFile.Layout.SAVED_MODEL
            : KerasWeightsFile.Layout.WEIGHTS);
        assertThat(f.layers().get("conv_1").get(0).name())
            .isEqualTo(o.naming() == KerasH5Writer.Naming.KERAS1 ? "conv_1_W_1:0" : "conv_1/kernel:0");
        if (o.savedModel()) {
          assertThat(f.modelConfig()).get().asString().contains("\"class_name\":\"Sequential\"", "\"conv_1\"");
        }
      }
    }
  }

  @Test
  void aNotopFileLoadsIntoTheBaseOfAWithTopModelAndLeavesTheTopAsItIs() {
    Path notop = tmp.resolve("vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5");
    Map<String, float[]> base;
    try (Model a = Vgg16.withHead(SIZE, SIZE, 2).pop(4).add(io.convnet.nn.Flatten.of().name("flatten"))
        .add(io.convnet.nn.Dense.of(2).activation(io.convnet.nn.Activation.SOFTMAX).name("x")).build(5)) {
      base = a.weights();
      KerasH5Writer.write(a, notop, KerasH5Writer.Options.APPLICATIONS);
    }
    // a real notop file has only the base: strip the helper head by loading the conv layers only
    try (Model full = Vgg16.withTop(SIZE, SIZE, 10).build(6)) {
      float[] fc1 = full.weight("fc1_kernel");
      float[] predictions = full.weight("predictions_bias");
      KerasWeightImporter.Report r = KerasWeightImporter.load(full, notop, Vgg16.convLayers());
      assertThat(r.loaded()).isEqualTo(Vgg16.convLayers());
      assertThat(r.ignored()).containsExactly("x");
      for (String layer : Vgg16.convLayers()) {
        assertIdentical(layer, full.weight(layer + "_kernel"), base.get(layer + "_kernel"));
        assertIdentical(layer, full.weight(layer + "_bias"), base.get(layer + "_bias"));
      }
      assertIdentical("fc1", full.weight("fc1_kernel"), fc1);
      assertIdentical("predictions", full.weight("predictions_bias"), predictions);
    }
  }
}
