package io.convnet.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.convnet.testing.SyntheticImages;
import io.convnet.testing.TinyModels;
import org.junit.jupiter.api.Test;

class ModelTest {

  @Test
  void seedGivesSameGlorotWeightsAndZeroBiases() {
    try (Model a = TinyModels.cnn(16, 2).build(42); Model b = TinyModels.cnn(16, 2).build(42);
        Model c = TinyModels.cnn(16, 2).build(43)) {
      float[] ka = a.weight("conv_1_kernel");
      assertThat(ka).hasSize(3 * 3 * 3 * 8).containsExactly(b.weight("conv_1_kernel"));
      assertThat(ka).isNotEqualTo(c.weight("conv_1_kernel"));
      float limit = Initializers.glorotLimit(27, 72);
      double min = 0;
      double max = 0;
      for (float v : ka) {
        assertThat(Math.abs(v)).isLessThanOrEqualTo(limit);
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      assertThat(min).isLessThan(-limit / 2); // both signs, spread over (-l, l)
      assertThat(max).isGreaterThan(limit / 2);
      assertThat(a.weight("conv_1_bias")).containsOnly(0f);
      assertThat(a.variables().keySet()).containsExactly("conv_1_kernel", "conv_1_bias", "conv_2_kernel",
          "conv_2_bias", "dense_1_kernel", "dense_1_bias", "output_kernel", "output_bias");
    }
  }

  @Test
  void weightsAreSettableByLayerAndPredictionsAreProbabilities() {
    try (Model m = TinyModels.cnn(16, 2).build(1)) {
      float[] kernel = new float[16];
      java.util.Arrays.fill(kernel, 0.5f);
      m.setLayerWeights("output", kernel, new float[] {0.25f});
      assertThat(m.weight("output_kernel")).containsOnly(0.5f);
      assertThat(m.weight("output_bias")).containsExactly(0.25f);
      float[][] p = m.predict(SyntheticImages.binary(2, 16, 4, 1).allPixels(3), 3);
      assertThat(p).hasNumberOfRows(3);
      for (float[] row : p) {
        assertThat(row).hasSize(2);
        assertThat(row[0] + row[1]).isCloseTo(1f, within(1e-6f));
      }
      assertThatThrownBy(() -> m.setWeight("output_bias", new float[3]))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shape [1]");
      assertThatThrownBy(() -> m.layerOutput("nope")).hasMessageContaining("no layer 'nope'");
    }
  }

  @Test
  void graphNamesLayerOutputsAndPreActivations() {
    try (Model m = TinyModels.cnn(16, 3).build(1)) {
      for (String op : new String[] {"input", "training", "conv_1", "conv_1_preact", "maxpool_1", "dense_1_preact",
          "output", "logits", "probabilities", "conv_1_kernel", "output_bias"}) {
        assertThat(m.graph().operation(op)).as(op).isNotNull();
      }
      assertThat(m.head().classes()).isEqualTo(3);
      float[][] p = m.predict(new float[2 * 16 * 16 * 3], 2);
      assertThat(p[0]).hasSize(3);
    }
  }
}
