package io.convnet.arch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convnet.bundle.Manifest;
import io.convnet.data.FolderDataset;
import io.convnet.data.PipelineOptions;
import io.convnet.data.Preprocessing;
import io.convnet.eval.EvaluationReport;
import io.convnet.eval.Evaluator;
import io.convnet.image.RgbImage;
import io.convnet.infer.Predictor;
import io.convnet.job.TrainAndPublish;
import io.convnet.job.TrainingOutcome;
import io.convnet.job.TrainingRequest;
import io.convnet.nn.LayerInfo;
import io.convnet.nn.Sequential;
import io.convnet.nn.Tensors;
import io.convnet.testing.DigitImages;
import io.convnet.train.OptimizerSpec;
import io.convnet.train.TrainingListener;
import io.convnet.util.Json;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeNet5Test {
  @TempDir
  Path tmp;

  @Test
  void theTutorialsLayersAndShapes() {
    Sequential net = Architectures.get("lenet-5").define(32, 10);
    assertThat(net.inputShape()).containsExactly(32, 32, 1);
    assertThat(net.layerInfos()).extracting(LayerInfo::name).containsExactly("conv_1", "maxpool_1", "conv_2",
        "maxpool_2", "flatten", "dense_1", "dense_2", "output");
    assertThat(net.layerInfos()).extracting(l -> List.of(l.outputShape().length == 3
        ? l.outputShape()[0] + "x" + l.outputShape()[1] + "x" + l.outputShape()[2] : "" + l.outputShape()[0]))
        .containsExactly(List.of("28x28x6"), List.of("14x14x6"), List.of("10x10x16"), List.of("5x5x16"),
            List.of("400"), List.of("120"), List.of("100"), List.of("10"));
    // 5*5*1*6+6, 5*5*6*16+16, 400*120+120, 120*100+100, 100*10+10
    assertThat(net.layerInfos()).extracting(LayerInfo::params).containsExactly(156L, 0L, 2416L, 0L, 0L, 48120L,
        12100L, 1010L);
    assertThat(net.paramCount()).isEqualTo(63_802);
    assertThat(net.head().classes()).isEqualTo(10);
    assertThat(net.summary()).contains("conv_1 (Conv2D)", "(None, 28, 28, 6)", "Total params: 63,802");
    Architecture a = Architectures.get(LeNet5.ID);
    assertThat(a.defaultImageSize()).isEqualTo(32);
    assertThat(Preprocessing.Mode.parse(a.preprocessing()).channels()).isEqualTo(1);
    assertThat(a.augmentation().horizontalFlip()).isFalse();
    assertThat(Architectures.ids()).contains("lenet-5");
  }

  @Test
  void trainsOnADigitFolderAndItsBundleClassifiesAPhotoByItsManifestAlone() {
    Path data = DigitImages.mnistLikeFolder(tmp.resolve("digits"), 40, 8, 1);
    Path store = tmp.resolve("models");
    TrainingRequest req = new TrainingRequest("lenet-5", null, data, 8, 32, true, OptimizerSpec.adam(2e-3), 1, 0, 0,
        0, store, null, false);
    assertThat(req.modelName()).isEqualTo("lenet-5");
    assertThat(req.imageSize()).isEqualTo(32);
    TrainingOutcome o = TrainAndPublish.run(req, TrainingListener.NONE, () -> false);
    assertThat(o.version()).isEqualTo(1);

    Manifest m = Json.read(o.bundleDir().resolve("manifest.json"), Manifest.class);
    assertThat(m.architecture()).isEqualTo("lenet-5");
    assertThat(m.input()).isEqualTo(new Manifest.Input(32, 32, 1));
    assertThat(m.labels()).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    assertThat(m.output()).isEqualTo(new Manifest.Output("softmax", 10));
    assertThat(m.preprocessing().mode()).isEqualTo("MNIST");
    assertThat(m.preprocessing().scale()).isEqualTo(1 / 255.0);
    assertThat(m.preprocessing().digit().box()).isEqualTo(20);
    assertThat(m.preprocessing().digit().field()).isEqualTo(28);
    assertThat(m.preprocessing().digit().padding()).isEqualTo(2);
    @SuppressWarnings("unchecked")
    Map<String, Object> aug = (Map<String, Object>) m.training().get("augmentation_settings");
    assertThat(aug).containsEntry("horizontal_flip", false).containsEntry("vertical_flip", false)
        .containsEntry("rotation_range", 10.0).containsEntry("shear_range", 0.0);

    Preprocessing prep = m.inputPreprocessing();
    assertThat(prep).isEqualTo(Preprocessing.mnist(32));
    try (Predictor p = Predictor.open(o.bundleDir());
        FolderDataset validation = FolderDataset.open(data.resolve("validation"), PipelineOptions.evaluation(prep))) {
      EvaluationReport r = Evaluator.evaluate(p, validation);
      assertThat(r.images()).isEqualTo(80);
      assertThat(r.accuracy()).isGreaterThan(0.9);
      assertThat(r.crossEntropy()).isCloseTo(o.history().best().orElseThrow().valLoss(),
          org.assertj.core.api.Assertions.within(1e-4));
      // large dark-on-light "photos" of digits, normalised by the manifest's preprocessing alone
      int right = 0;
      for (int d = 0; d < 10; d++) {
        RgbImage photo = DigitImages.photo(d, 240, 180, 0x202428, 0xf0ece0, 100 + 5 * d, 95, 3, d);
        float[] probabilities = p.predict(prep.apply(photo), 1)[0];
        right += Tensors.argmax(probabilities) == d ? 1 : 0;
      }
      assertThat(right).isGreaterThanOrEqualTo(9);
    }
  }

  @Test
  void aGrayModelRefusesColourBatchesAndTooSmallInputs() {
    assertThatThrownBy(() -> new TrainingRequest("lenet-5", null, tmp, 1, 32, true, OptimizerSpec.adam(1e-3), 1, 0,
        24, 0, tmp, null, false)).hasMessageContaining("MNIST preprocessing needs an input of at least 28x28");
    Manifest colourInput = new Manifest(1, "m", 1, "lenet-5", null, new Manifest.Input(32, 32, 3),
        new Manifest.Preprocessing("MNIST", 1 / 255.0), List.of("0", "1"), null, List.of(), null, null, null, null);
    assertThatThrownBy(colourInput::inputPreprocessing)
        .hasMessage("model 'm' takes 3 input channels but its MNIST preprocessing gives 1");
  }
}
