package io.convnet.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.convnet.bundle.BundleStore;
import io.convnet.train.EpochMetrics;
import io.convnet.train.OptimizerSpec;
import io.convnet.train.StopReason;
import io.convnet.train.TrainingListener;
import io.convnet.testing.ImageFolders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainAndPublishTest {
  @TempDir
  Path tmp;

  @Test
  void aCancelledJobPublishesNothingAndResumesToAPublishedBundle() throws Exception {
    Path data = ImageFolders.catsAndDogs(tmp.resolve("data"), 8, 32, 3);
    Path models = tmp.resolve("models");
    TrainingRequest req = new TrainingRequest("tutorial-cnn", "pets", data, 3, 8, true, OptimizerSpec.adam(1e-3), 5,
        0, 32, 0, models, null, false);
    AtomicInteger steps = new AtomicInteger();
    TrainingOutcome stopped = TrainAndPublish.run(req, TrainingListener.NONE, () -> steps.incrementAndGet() > 3);
    assertThat(stopped.version()).isZero();
    assertThat(stopped.history().stopReason()).isEqualTo(StopReason.CANCELLED);
    assertThat(stopped.history().epochs()).extracting(EpochMetrics::epoch).containsExactly(1);
    assertThat(new BundleStore(models).versions("pets")).isEmpty();
    assertThat(models.resolve(".work/pets/checkpoints/state.json")).exists();

    TrainingRequest resume = new TrainingRequest("tutorial-cnn", "pets", data, 3, 8, true, OptimizerSpec.adam(1e-3),
        5, 0, 32, 0, models, null, true);
    TrainingOutcome done = TrainAndPublish.run(resume, TrainingListener.NONE, () -> false);
    assertThat(done.version()).isEqualTo(1);
    assertThat(done.history().epochs()).extracting(EpochMetrics::epoch).containsExactly(1, 2, 3);
    assertThat(Files.readString(done.bundleDir().resolve("manifest.json"))).contains("\"epochs_run\" : 3",
        "\"augmentation\" : true", "\"pets\"");
    assertThat(models.resolve(".work/pets")).doesNotExist();
  }
}
