package io.convnet.transfer;

import static io.convnet.testing.FloatArrays.assertIdentical;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convnet.arch.Vgg16;
import io.convnet.data.DataSplits;
import io.convnet.data.PipelineOptions;
import io.convnet.data.Preprocessing;
import io.convnet.keras.KerasH5Writer;
import io.convnet.nn.Model;
import io.convnet.nn.Sequential;
import io.convnet.testing.ImageFolders;
import io.convnet.train.EpochMetrics;
import io.convnet.train.OptimizerSpec;
import io.convnet.train.TrainingConfig;
import io.convnet.train.TrainingListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** VGG16 at 32x32 (the real 14.7M-parameter base) on a tiny two-class folder. */
class TransferTrainingTest {
  static final int SIZE = 32;

  @TempDir
  static Path shared;
  static Path data;
  static Path notop;
  static Map<String, float[]> fileWeights;

  @TempDir
  Path tmp;

  @BeforeAll
  static void weightsAndData() throws Exception {
    data = ImageFolders.catsAndDogs(shared.resolve("data"), 8, 40, 3);
    notop = shared.resolve("vgg16_notop.h5");
    try (Model source = Vgg16.withHead(SIZE, SIZE, 2).build(11)) {
      KerasH5Writer.write(source, notop, KerasH5Writer.Options.APPLICATIONS.onlyLayers(Vgg16.base(SIZE, SIZE)
          .layerNames()));
      fileWeights = source.weights();
    }
  }

  private static DataSplits open() {
    return DataSplits.open(data, PipelineOptions.training(Preprocessing.caffe(SIZE, SIZE)).withBatchSize(8)
        .withSeed(1));
  }

  private static List<Integer> epochsSeen(List<EpochMetrics> events) {
    return events.stream().map(EpochMetrics::epoch).toList();
  }

  @Test
  void aFrozenBaseStaysBitIdenticalWhileTheHeadTrains() {
    TransferOptions opts = new TransferOptions(notop, true, false, 0, 0, null);
    Sequential spec = TransferTraining.spec(Vgg16.withHead(SIZE, SIZE, 2), opts);
    assertThat(spec.trainableParamCount()).isEqualTo(spec.paramCount() - Vgg16.BASE_PARAMS);
    try (DataSplits d = open(); Model m = spec.build(5)) {
      float[] headBefore = m.weight("dense_1_kernel");
      TransferTraining.Result r = TransferTraining.fit(m, opts, TrainingConfig.of(2, OptimizerSpec.adam(1e-3), 5,
          tmp), d, TrainingListener.NONE, () -> false);
      assertThat(r.imported().loaded()).isEqualTo(Vgg16.convLayers());
      assertThat(r.history().epochs()).hasSize(2);
      for (String layer : Vgg16.convLayers()) {
        assertIdentical(layer, m.weight(layer + "_kernel"), fileWeights.get(layer + "_kernel"));
        assertIdentical(layer, m.weight(layer + "_bias"), fileWeights.get(layer + "_bias"));
      }
      assertThat(java.util.Arrays.equals(m.weight("dense_1_kernel"), headBefore)).as("head trained").isFalse();
    }
  }

  @Test
  void cachedBottleneckThenFineTuningTheLastBlock() {
    TransferOptions opts = new TransferOptions(notop, true, true, 1, 1e-3, "block5_conv1");
    Sequential spec = TransferTraining.spec(Vgg16.withHead(SIZE, SIZE, 2), opts);
    List<EpochMetrics> events = new ArrayList<>();
    List<String> starts = new ArrayList<>();
    try (DataSplits d = open(); Model m = spec.build(5)) {
      float[] headBefore = m.weight("output_kernel");
      TransferTraining.Result r = TransferTraining.fit(m, opts, TrainingConfig.of(2, OptimizerSpec.adam(1e-3), 5,
          tmp), d, new TrainingListener() {
            @Override
            public void onTrainingStart(int firstEpoch, int epochs, int batches) {
              starts.add(firstEpoch + "/" + epochs + "x" + batches);
            }

            @Override
            public void onEpochEnd(EpochMetrics metrics, boolean best) {
              events.add(metrics);
            }
          }, () -> false);
      assertThat(starts).containsExactly("1/3x2");
      assertThat(epochsSeen(events)).containsExactly(1, 2, 3);
      assertThat(r.headEpochs()).isEqualTo(2);
      assertThat(r.history().epochs()).extracting(EpochMetrics::epoch).containsExactly(1, 2, 3);
      for (String layer : Vgg16.convLayers().subList(0, 10)) { // block1..block4 never train
        assertIdentical(layer, m.weight(layer + "_kernel"), fileWeights.get(layer + "_kernel"));
      }
      assertThat(java.util.Arrays.equals(m.weight("output_kernel"), headBefore)).as("head trained").isFalse();
      boolean fineTuneKept = r.history().best().orElseThrow().epoch() == 3;
      assertThat(java.util.Arrays.equals(m.weight("block5_conv3_kernel"), fileWeights.get("block5_conv3_kernel")))
          .as("block5 trained iff the fine-tuned epoch was kept").isEqualTo(!fineTuneKept);
    }
  }

  @Test
  void bottleneckFeaturesAreTheBaseOutput() {
    try (DataSplits d = open(); Model m = Vgg16.withHead(SIZE, SIZE, 2).build(3)) {
      BottleneckFeatures f = BottleneckFeatures.extract(m, "block5_pool", d.validation(), false, 1, () -> false);
      assertThat(f.shape()).containsExactly(1, 1, 512);
      assertThat(f.imageCount()).isEqualTo(16);
      var first = d.validation().epoch(0).next();
      var featuresBatch = f.epoch(0).next();
      assertThat(featuresBatch.labels()).containsExactly(first.labels());
      float[] direct;
      try (var x = io.convnet.nn.Tensors.images(first.pixels(), first.size(), SIZE, SIZE, 3);
          var res = m.session().runner().feed(m.input(), x).fetch(m.layerOutput("block5_pool")).run()) {
        direct = io.convnet.nn.Tensors.flat((org.tensorflow.types.TFloat32) res.get(0));
      }
      assertIdentical("features", featuresBatch.pixels(), direct);
    }
  }

  @Test
  void inconsistentOptionsAreRefusedWithTheReason() {
    assertThatThrownBy(() -> new TransferOptions(null, false, true, 0, 0, null))
        .hasMessageContaining("caching bottleneck features needs a frozen base");
    assertThatThrownBy(() -> new TransferOptions(null, false, false, 2, 0, null))
        .hasMessageContaining("fine-tuning follows a frozen-base phase");
    assertThatThrownBy(() -> new TransferOptions(null, true, false, 0, 1e-5, null))
        .hasMessageContaining("without fine-tune epochs");
    assertThatThrownBy(() -> new TransferOptions(null, true, false, -1, 0, null))
        .hasMessageContaining("fine-tune epochs must be 0..10000, got -1");
    assertThatThrownBy(() -> new TransferOptions(null, true, false, 1, 50, null))
        .hasMessageContaining("fine-tune learning rate must be > 0 and <= 10");
    assertThat(new TransferOptions(null, true, false, 1, 0, null).fineTuneLearningRate()).isEqualTo(1e-5);
    BaseAndHead split = BaseAndHead.of(Vgg16.withHead(SIZE, SIZE, 2));
    assertThat(split.baseFrom("block5_conv1")).containsExactly("block5_conv1", "block5_conv2", "block5_conv3");
    assertThat(split.headWeighted()).containsExactly("dense_1", "output");
    assertThatThrownBy(() -> split.baseFrom("dense_1")).hasMessageContaining("cannot fine-tune from 'dense_1'");
    assertThatThrownBy(() -> new io.convnet.job.TrainingRequest("vgg16", null, data, 1, 8, false,
        OptimizerSpec.adam(1e-3), 1, 0, SIZE, 0, tmp, null, false, new TransferOptions(tmp.resolve("none.h5"), true,
        false, 0, 0, null))).hasMessageContaining("no such weights file: ");
    assertThatThrownBy(() -> new io.convnet.job.TrainingRequest("vgg16", null, data, 1, 8, false,
        OptimizerSpec.adam(1e-3), 1, 0, SIZE, 0, tmp, null, false, new TransferOptions(null, true, false, 1, 0,
        "block9_conv1"))).hasMessageContaining("cannot fine-tune from 'block9_conv1'");
  }
}
