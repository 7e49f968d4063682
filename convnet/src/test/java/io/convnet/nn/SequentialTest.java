package io.convnet.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convnet.arch.Architectures;
import org.junit.jupiter.api.Test;

class SequentialTest {

  @Test
  void tutorialCnnHasKerasShapesAndParameterCounts() {
    Sequential m = Architectures.get("tutorial-cnn").define(150, 2);
    assertThat(m.layerNames()).containsExactly("conv_1", "maxpool_1", "conv_2", "maxpool_2", "conv_3", "maxpool_3",
        "conv_4", "maxpool_4", "flatten", "dropout", "dense_1", "dense_2", "output");
    var infos = m.layerInfos();
    assertThat(infos.get(0).outputShape()).containsExactly(150, 150, 32);
    assertThat(infos.get(0).params()).isEqualTo(896);
    assertThat(infos.get(7).outputShape()).containsExactly(9, 9, 128);
    assertThat(infos.get(8).outputShape()).containsExactly(10368);
    assertThat(infos.get(10).params()).isEqualTo(10368L * 512 + 512);
    assertThat(m.paramCount()).isEqualTo(896 + 18496 + 73856 + 147584 + 5308928 + 65664 + 129);
    String summary = m.summary();
    assertThat(summary).contains("conv_1 (Conv2D)", "(None, 150, 150, 32)", "Total params: 5,615,553",
        "Trainable params: 5,615,553", "Non-trainable params: 0");
    assertThat(m.head().activation()).isEqualTo(Activation.SIGMOID);
    assertThat(m.head().classes()).isEqualTo(2);
  }

  @Test
  void defaultNamesFollowKeras() {
    Sequential m = Sequential.input(8, 8, 3).add(Conv2D.of(2, 3)).add(Conv2D.of(2, 3)).add(Flatten.of())
        .add(Dense.of(1).activation(Activation.SIGMOID));
    assertThat(m.layerNames()).containsExactly("conv2d", "conv2d_1", "flatten", "dense");
    assertThat(m.layerInfos().get(0).outputShape()).containsExactly(6, 6, 2); // valid padding
  }

  @Test
  void stridesAndValidPadding() {
    Sequential m = Sequential.input(11, 11, 3).add(Conv2D.of(4, 3).strides(2).name("c"))
        .add(MaxPooling2D.of(2).name("p"));
    assertThat(m.layerInfos().get(0).outputShape()).containsExactly(5, 5, 4);
    assertThat(m.layerInfos().get(1).outputShape()).containsExactly(2, 2, 4);
  }

  @Test
  void freezingMarksLayersNotTrainable() {
    Sequential m = Architectures.get("tutorial-cnn").define(150, 2)
        .trainable(java.util.Set.of("conv_1", "conv_2"), false);
    assertThat(m.trainableParamCount()).isEqualTo(m.paramCount() - 896 - 18496);
    assertThat(m.summary()).contains("Non-trainable params: 19,392");
  }

  @Test
  void badDefinitionsAreRejectedWithTheReason() {
    assertThatThrownBy(() -> Sequential.input(8, 8, 3).add(Dense.of(4)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Flatten");
    assertThatThrownBy(() -> Sequential.input(8, 8, 3).add(Conv2D.of(2, 3).name("input")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved");
    assertThatThrownBy(() -> Sequential.input(8, 8, 3).add(Conv2D.of(2, 3).name("a")).add(Conv2D.of(2, 3).name("a")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate");
    assertThatThrownBy(() -> Sequential.input(4, 4, 3).add(Conv2D.of(2, 5).name("big")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("smaller than its 5x5 kernel");
    assertThatThrownBy(() -> Sequential.input(8, 8, 3).add(Flatten.of()).add(Dense.of(3).activation(Activation.RELU))
        .head()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sigmoid or softmax");
    assertThatThrownBy(() -> Architectures.get("resnet"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown architecture 'resnet'")
        .hasMessageContaining("tutorial-cnn");
    assertThatThrownBy(() -> Dropout.of(1.5)).hasMessageContaining("rate");
    assertThatThrownBy(() -> Conv2D.of(0, 3)).hasMessageContaining("filters");
  }
}
