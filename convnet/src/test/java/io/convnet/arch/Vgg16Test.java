package io.convnet.arch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convnet.nn.Activation;
import io.convnet.nn.Dense;
import io.convnet.nn.Dropout;
import io.convnet.nn.Flatten;
import io.convnet.nn.LayerInfo;
import io.convnet.nn.Model;
import io.convnet.nn.Sequential;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Vgg16Test {
  static final List<String> KERAS_LAYERS = List.of("block1_conv1", "block1_conv2", "block1_pool", "block2_conv1",
      "block2_conv2", "block2_pool", "block3_conv1", "block3_conv2", "block3_conv3", "block3_pool", "block4_conv1",
      "block4_conv2", "block4_conv3", "block4_pool", "block5_conv1", "block5_conv2", "block5_conv3", "block5_pool");

  @Test
  void baseHasKerasNamesAndParameterCountAtAnySize() {
    for (int size : new int[] {32, 64, 150, 224, 300}) {
      Sequential base = Vgg16.base(size, size);
      assertThat(base.layerNames()).isEqualTo(KERAS_LAYERS);
      assertThat(base.paramCount()).as("size %d", size).isEqualTo(14_714_688L).isEqualTo(Vgg16.BASE_PARAMS);
    }
    assertThat(Vgg16.base(150, 150).outputShape()).containsExactly(4, 4, 512);
    assertThat(Vgg16.base(224, 224).outputShape()).containsExactly(7, 7, 512);
    assertThat(Vgg16.base(40, 64).outputShape()).containsExactly(1, 2, 512);
    assertThat(Vgg16.convLayers()).hasSize(13).startsWith("block1_conv1").endsWith("block5_conv3");
    // the manifest marks the conv layers, so visualization finds blockN_convK
    assertThat(Vgg16.base(32, 32).layerInfos().stream().filter(LayerInfo::conv).map(LayerInfo::name))
        .isEqualTo(Vgg16.convLayers());
  }

  @Test
  void withTopMatchesKerasImageNetModel() {
    Sequential full = Vgg16.withTop(224, 224, 1000);
    assertThat(full.layerNames()).startsWith(KERAS_LAYERS.toArray(String[]::new))
        .endsWith("flatten", "fc1", "fc2", "predictions").hasSize(22);
    assertThat(full.paramCount()).isEqualTo(138_357_544L).isEqualTo(Vgg16.TOP_PARAMS_IMAGENET);
    assertThat(full.head().activation()).isEqualTo(Activation.SOFTMAX);
    assertThat(full.head().classes()).isEqualTo(1000);
    assertThat(full.summary()).contains("block1_conv1 (Conv2D)", "(None, 224, 224, 64)", "1,792",
        "fc1 (Dense)", "102,764,544", "predictions (Dense)", "4,097,000", "Total params: 138,357,544");
    assertThat(Architectures.get("vgg16-top").define(224, 1000).paramCount()).isEqualTo(138_357_544L);
  }

  @Test
  void theHeadIsReplaceable() {
    Sequential base = Vgg16.base(150, 150);
    Sequential catsDogs = base.add(Flatten.of().name("flatten")).add(Dense.of(256).activation(Activation.RELU))
        .add(Dropout.of(0.5)).add(Dense.of(1).activation(Activation.SIGMOID));
    // Chollet: 14,714,688 + 8192 * 256 + 256 + 257 = 16,812,353
    assertThat(catsDogs.paramCount()).isEqualTo(16_812_353L);
    assertThat(Architectures.get("vgg16").define(150, 2).paramCount()).isEqualTo(16_812_353L);
    Sequential swapped = Vgg16.withTop(224, 224, 1000).pop(3).add(Dense.of(10).activation(Activation.SOFTMAX)
        .name("predictions"));
    assertThat(swapped.paramCount()).isEqualTo(14_714_688L + 25_088L * 10 + 10);
    Sequential frozen = catsDogs.trainable(java.util.Set.copyOf(Vgg16.convLayers()), false);
    assertThat(frozen.trainableParamCount()).isEqualTo(16_812_353L - 14_714_688L);
  }

  @Test
  void smallerInputsThanKerasAllowsAreRefused() {
    assertThatThrownBy(() -> Vgg16.base(31, 64)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 32x32, got 31x64");
    assertThatThrownBy(() -> Architectures.get("vgg16").define(16, 2)).hasMessageContaining("at least 32x32");
  }

  @Test
  void buildsAndPredictsAt32x32() {
    try (Model m = Vgg16.withHead(32, 32, 3).build(1)) {
      float[] x = new float[2 * 32 * 32 * 3];
      Random r = new Random(1);
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) (r.nextGaussian() * 50);
      }
      float[][] p = m.predict(x, 2);
      assertThat(p).hasNumberOfRows(2);
      assertThat(p[0][0] + p[0][1] + p[0][2]).isCloseTo(1f, org.assertj.core.api.Assertions.within(1e-5f));
      assertThat(m.variables()).hasSize(2 * 13 + 4).containsKeys("block1_conv1_kernel", "block5_conv3_bias",
          "dense_1_kernel", "output_bias");
    }
  }

  @Test
  void trainsFromScratchAtAReducedSizeAndTheLossFalls(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
    var train = io.convnet.testing.SyntheticImages.binary(16, 32, 8, 1);
    try (Model m = Architectures.get("vgg16").define(32, 2).build(2)) {
      var history = new io.convnet.train.Trainer(m, io.convnet.train.TrainingConfig.of(3,
          io.convnet.train.OptimizerSpec.adam(1e-4), 2, tmp)).fit(train, train,
          io.convnet.train.TrainingListener.NONE, () -> false);
      assertThat(history.epochs()).hasSize(3);
      assertThat(history.last().orElseThrow().loss()).isLessThan(history.epochs().get(0).loss());
    }
  }
}
