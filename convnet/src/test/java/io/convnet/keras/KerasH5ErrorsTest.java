package io.convnet.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convnet.arch.Architectures;
import io.convnet.arch.Vgg16;
import io.convnet.nn.Model;
import io.convnet.nn.Sequential;
import io.convnet.testing.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad files and mismatches: one clear error naming what is wrong, and the model is left untouched. */
class KerasH5ErrorsTest {
  @TempDir
  Path tmp;

  private Path tiny(String name, int size, int classes) {
    Path h5 = tmp.resolve(name);
    try (Model m = TinyModels.cnn(size, classes).build(1)) {
      KerasH5Writer.write(m, h5);
    }
    return h5;
  }

  @Test
  void aWrongShapeNamesTheLayerAndBothShapesAndWritesNothing() {
    Path h5 = tiny("tiny16.h5", 16, 2); // dense_1 kernel [4*4*8, 16]
    try (Model m = TinyModels.cnn(32, 2).build(2)) { // dense_1 kernel [8*8*8, 16]
      float[] conv = m.weight("conv_1_kernel");
      assertThatThrownBy(() -> KerasWeightImporter.load(m, h5)).isInstanceOf(KerasH5Exception.class)
          .hasMessageContaining("tiny16.h5 does not fit model 'tiny'")
          .hasMessageContaining("layer dense_1: kernel shape in the file [128, 16] differs from the model's [512, 16]");
      assertThat(m.weight("conv_1_kernel")).as("checked before writing anything").containsExactly(conv);
    }
  }

  @Test
  void missingLayersAreListed() {
    Path h5 = tiny("tiny.h5", 16, 2);
    Sequential other = TinyModels.cnn(16, 2).pop(1).add(io.convnet.nn.Dense.of(1)
        .activation(io.convnet.nn.Activation.SIGMOID).name("classifier"));
    try (Model m = other.build(1)) {
      assertThatThrownBy(() -> KerasWeightImporter.load(m, h5)).isInstanceOf(KerasH5Exception.class)
          .hasMessageContaining("the file lacks 1 of the 4 layers to load: classifier")
          .hasMessageContaining("the file's layers with weights: conv_1, conv_2, dense_1, output");
    }
  }

  @Test
  void aTutorialCnnFileIsRefusedByVgg16() {
    Path h5 = tmp.resolve("tutorial.h5");
    try (Model m = Architectures.get("tutorial-cnn").define(32, 2).build(1)) {
      KerasH5Writer.write(m, h5);
    }
    try (Model vgg = Vgg16.withHead(32, 32, 2).build(1)) {
      assertThatThrownBy(() -> KerasWeightImporter.load(vgg, h5, Vgg16.convLayers()))
          .isInstanceOf(KerasH5Exception.class)
          .hasMessageContaining("the file lacks 13 of the 13 layers to load: block1_conv1, block1_conv2")
          .hasMessageContaining("the file's layers with weights: conv_1, conv_2, conv_3, conv_4, dense_1, dense_2, output");
    }
  }

  @Test
  void notHdf5EmptyMissingAndTruncatedFiles() throws Exception {
    Path text = Files.writeString(tmp.resolve("weights.h5"), "hello, this is not HDF5");
    assertThatThrownBy(() -> KerasWeightsFile.open(text)).isInstanceOf(KerasH5Exception.class)
        .hasMessage(text + ": not an HDF5 file (no HDF5 signature)");
    Path empty = Files.createFile(tmp.resolve("empty.h5"));
    assertThatThrownBy(() -> KerasWeightsFile.open(empty)).hasMessageContaining("not an HDF5 file (the file is empty)");
    assertThatThrownBy(() -> KerasWeightsFile.open(tmp.resolve("nope.h5")))
        .isInstanceOf(KerasH5Exception.class).hasMessageContaining("no such weights file: ");

    Path whole = tiny("whole.h5", 16, 2);
    byte[] bytes = Files.readAllBytes(whole);
    for (int keep : new int[] {bytes.length - 100, bytes.length / 2, 600, 40}) {
      Path cut = Files.write(tmp.resolve("cut-" + keep + ".h5"), Arrays.copyOf(bytes, keep));
      try (Model m = TinyModels.cnn(16, 2).build(2)) {
        float[] before = m.weight("dense_1_kernel");
        assertThatThrownBy(() -> KerasWeightImporter.load(m, cut)).as("cut at %d of %d", keep, bytes.length)
            .isInstanceOf(KerasH5Exception.class).hasMessageContaining(cut.toString())
            .hasMessageMatching("(?s).*(truncated|damaged|not an HDF5 file|not a Keras weights file).*");
        assertThat(m.weight("dense_1_kernel")).containsExactly(before);
      }
    }
  }

  @Test
  void anHdf5FileThatIsNotKerasIsNamedSo() {
    Path h5 = tmp.resolve("data.h5");
    try (var f = io.jhdf.HdfFile.write(h5)) {
      f.putDataset("x", new float[] {1, 2, 3});
    }
    assertThatThrownBy(() -> KerasWeightsFile.open(h5)).isInstanceOf(KerasH5Exception.class)
        .hasMessageContaining("not a Keras weights file: no 'layer_names' attribute at the root or in 'model_weights'");
  }

  @Test
  void askingForALayerTheModelLacksIsAProgrammingError() {
    Path h5 = tiny("t.h5", 16, 2);
    try (Model m = TinyModels.cnn(16, 2).build(1)) {
      assertThatThrownBy(() -> KerasWeightImporter.load(m, h5, java.util.List.of("block1_conv1")))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has no conv or dense layer 'block1_conv1'");
    }
  }
}
