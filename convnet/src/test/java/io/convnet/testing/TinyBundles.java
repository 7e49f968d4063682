package io.convnet.testing;

import io.convnet.bundle.BundleStore;
import io.convnet.bundle.BundleWriter;
import io.convnet.bundle.Manifest;
import io.convnet.data.Augmentation;
import io.convnet.data.DataSplits;
import io.convnet.data.PipelineOptions;
import io.convnet.data.Preprocessing;
import io.convnet.nn.Model;
import io.convnet.train.OptimizerSpec;
import io.convnet.train.Trainer;
import io.convnet.train.TrainingConfig;
import io.convnet.train.TrainingListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A small trained bundle as the trainer publishes it, for visualization tests here and in the services:
 * {@link TinyModels#cnn} trained for a few epochs on {@link ImageFolders#catsAndDogs} (bars left/right),
 * its manifest recording the data folder's name, so {@code <dataRoot>/<name>/validation} is found.
 */
public final class TinyBundles {
  public static final int SIZE = 32;

  private TinyBundles() {}

  /** Writes {@code <dataRoot>/bars/{train,validation}/{cat,dog}}, trains, publishes {@code <store>/<model>/1}. */
  public static Path trained(Path store, String model, Path dataRoot) {
    try {
      Path data = ImageFolders.catsAndDogs(dataRoot.resolve("bars"), 16, SIZE, 3);
      Preprocessing pre = Preprocessing.rescale(SIZE, SIZE);
      PipelineOptions train = PipelineOptions.training(pre).withBatchSize(16).withSeed(3)
          .withAugmentation(Augmentation.none());
      try (DataSplits splits = DataSplits.open(data, train, train.forEvaluation());
          Model m = TinyModels.cnn(SIZE, 2).name(model).build(5)) {
        new Trainer(m, TrainingConfig.of(6, OptimizerSpec.adam(3e-3), 5, dataRoot.resolve(".work")))
            .fit(splits.training(), splits.validation(), TrainingListener.NONE, () -> false);
        Manifest manifest = new Manifest(Manifest.FORMAT_VERSION, model, 0, "tiny-cnn", java.time.Instant.now().toString(),
            null, new Manifest.Preprocessing("RESCALE", 1 / 255.0), List.of("cat", "dog"), null, null, null, null,
            Map.of("data", "bars", "epochs", 6), null);
        BundleStore s = new BundleStore(store);
        int v = s.publish(model, (dir, version) -> BundleWriter.write(m, manifest.withVersion(version), dir));
        return s.path(model, v);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * LeNet-5 trained for a few epochs on {@link DigitImages#mnistLikeFolder} ({@code <dataRoot>/digits}), published
   * as {@code <store>/<model>/1} by the training job, as the trainer does: a one-channel MNIST-mode bundle.
   */
  public static Path trainedDigits(Path store, String model, Path dataRoot) {
    Path data = DigitImages.mnistLikeFolder(dataRoot.resolve("digits"), 30, 6, 2);
    var req = new io.convnet.job.TrainingRequest("lenet-5", model, data, 6, 32, false, OptimizerSpec.adam(2e-3), 2, 0,
        0, 0, store, null, false);
    return io.convnet.job.TrainAndPublish.run(req, TrainingListener.NONE, () -> false).bundleDir();
  }
}
