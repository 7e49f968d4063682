package io.convnet.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.convnet.nn.Model;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Files written by h5py (the reference HDF5 library) in Keras' layouts: save_weights (Keras 2 names), an old
 * Keras 1 file ({@code conv_1_W_1:0}, no keras_version) and a whole saved model. Every weight must land in its
 * variable, and predictions must equal a plain-Java forward pass over the same numbers.
 */
class KerasH5FixturesTest {

  static Path fixture(String name) throws URISyntaxException {
    return Path.of(KerasH5FixturesTest.class.getResource("/keras/" + name).toURI());
  }

  @ParameterizedTest
  @ValueSource(strings = {"tiny_keras2.h5", "tiny_keras1.h5", "tiny_model_saved.h5", "tiny_nested_saved.h5"})
  void everyWeightLandsInItsVariableAndPredictionsMatchAPlainJavaReference(String name) throws Exception {
    Map<String, float[]> expected = TinyKeras.fixtureWeights();
    try (KerasWeightsFile f = KerasWeightsFile.open(fixture(name))) {
      if (name.contains("nested")) { // the base saved as one layer: its weights are listed under the inner layers
        assertThat(f.fileLayerNames()).containsExactly("tiny_base", "flatten", "output");
        assertThat(f.layers().get("conv_2").get(0).path()).isEqualTo("model_weights/tiny_base/conv_2/kernel:0");
      } else {
        assertThat(f.fileLayerNames()).containsExactly("input_1", "conv_1", "maxpool_1", "conv_2", "maxpool_2",
            "flatten", "output");
      }
      assertThat(f.weightedLayers()).containsExactly("conv_1", "conv_2", "output");
      assertThat(f.layers().get("conv_1")).extracting(KerasWeight::shape)
          .containsExactly(new int[] {3, 3, 3, 4}, new int[] {4});
      assertThat(f.layout()).isEqualTo(name.contains("saved") ? KerasWeightsFile.Layout.SAVED_MODEL
          : KerasWeightsFile.Layout.WEIGHTS);
      assertThat(f.kerasVersion()).isEqualTo(name.contains("keras1") ? java.util.Optional.empty()
          : java.util.Optional.of("2.2.4"));
      if (name.contains("saved")) {
        assertThat(f.modelConfig()).get().asString().contains("\"class_name\": \"Sequential\"");
      }
    }
    try (Model m = TinyKeras.model().build(42)) {
      KerasWeightImporter.Report r = KerasWeightImporter.load(m, fixture(name));
      assertThat(r.loaded()).containsExactly("conv_1", "conv_2", "output");
      assertThat(r.parameters()).isEqualTo(108 + 4 + 144 + 4 + 48 + 3);
      expected.forEach((var, values) -> assertThat(m.weight(var)).as(var).containsExactly(values));
      Random rnd = new Random(3);
      int n = 4;
      float[] images = new float[n * TinyKeras.SIZE * TinyKeras.SIZE * 3];
      for (int i = 0; i < images.length; i++) {
        images[i] = rnd.nextFloat() * 2 - 1;
      }
      float[][] p = m.predict(images, n);
      int per = TinyKeras.SIZE * TinyKeras.SIZE * 3;
      for (int i = 0; i < n; i++) {
        float[] one = java.util.Arrays.copyOfRange(images, i * per, (i + 1) * per);
        float[] ref = TinyKeras.reference(one, expected);
        for (int c = 0; c < 3; c++) {
          assertThat(p[i][c]).as("image %d class %d", i, c).isCloseTo(ref[c], within(1e-5f));
        }
      }
    }
  }
}
