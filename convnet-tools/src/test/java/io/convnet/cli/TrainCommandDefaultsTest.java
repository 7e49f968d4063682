package io.convnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.convnet.job.TrainingRequest;
import io.convnet.limits.TrainingLimits;
import io.convnet.train.OptimizerSpec;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code convnet train}'s defaults are TrainingLimits', the same the gateway gives a job that does not say. */
class TrainCommandDefaultsTest {

  @Test
  void anUnsaidOptionTakesTheSharedDefault() {
    TrainCommand train = new TrainCommand();
    new CommandLine(train).parseArgs("-d", "data");
    assertThat(train.arch).isEqualTo(TrainingLimits.DEFAULT_ARCHITECTURE);
    TrainingRequest req = train.request();
    assertThat(req.epochs()).isEqualTo(TrainingLimits.DEFAULT_EPOCHS);
    assertThat(req.batchSize()).isEqualTo(TrainingLimits.DEFAULT_BATCH_SIZE);
    assertThat(req.optimizer().id()).isEqualTo(TrainingLimits.DEFAULT_OPTIMIZER);
    assertThat(req.optimizer().learningRate()).isEqualTo(TrainingLimits.DEFAULT_LEARNING_RATE);
    assertThat(req.seed()).isEqualTo(TrainingLimits.DEFAULT_SEED);
    assertThat(req.imageSize()).as("the architecture's own size").isEqualTo(150);
    assertThat(new CommandLine(train).getUsageMessage()).contains("the architecture's, " + TrainingLimits.DEFAULT_EPOCHS,
        TrainingLimits.DEFAULT_MODEL + ")");
  }

  @Test
  void leNetGetsItsOwnDefaultsAndSaidOptionsWin() {
    TrainCommand lenet = new TrainCommand();
    new CommandLine(lenet).parseArgs("-d", "data/mnist", "-a", "lenet-5");
    TrainingLimits.JobDefaults d = TrainingLimits.defaults("lenet-5");
    TrainingRequest req = lenet.request();
    assertThat(req.modelName()).isEqualTo(d.model());
    assertThat(req.epochs()).isEqualTo(d.epochs());
    assertThat(req.batchSize()).isEqualTo(d.batchSize());
    assertThat(req.optimizer()).isEqualTo(OptimizerSpec.parse(d.optimizer(), d.learningRate()));
    assertThat(req.imageSize()).isEqualTo(32);

    TrainCommand said = new TrainCommand();
    new CommandLine(said).parseArgs("-d", "data/mnist", "-a", "lenet-5", "-e", "3", "-b", "8", "--optimizer", "sgd",
        "--lr", "0.01");
    TrainingRequest r = said.request();
    assertThat(r.epochs()).isEqualTo(3);
    assertThat(r.batchSize()).isEqualTo(8);
    assertThat(r.optimizer()).isEqualTo(OptimizerSpec.sgd(0.01, 0.9));
  }
}
