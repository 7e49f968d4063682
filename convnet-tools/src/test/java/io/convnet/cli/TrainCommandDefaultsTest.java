package io.convnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.convnet.limits.TrainingLimits;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code convnet train}'s defaults are TrainingLimits', the same the gateway gives a job that does not say. */
class TrainCommandDefaultsTest {

  @Test
  void anUnsaidOptionTakesTheSharedDefault() {
    TrainCommand train = new TrainCommand();
    new CommandLine(train).parseArgs("-d", "data");
    assertThat(train.arch).isEqualTo(TrainingLimits.DEFAULT_ARCHITECTURE);
    assertThat(train.epochs).isEqualTo(TrainingLimits.DEFAULT_EPOCHS);
    assertThat(train.batchSize).isEqualTo(TrainingLimits.DEFAULT_BATCH_SIZE);
    assertThat(train.optimizer).isEqualTo(TrainingLimits.DEFAULT_OPTIMIZER);
    assertThat(train.lr).isEqualTo(TrainingLimits.DEFAULT_LEARNING_RATE);
    assertThat(train.seed).isEqualTo(TrainingLimits.DEFAULT_SEED);
    assertThat(train.imageSize).as("0: the architecture's own size").isZero();
    assertThat(new CommandLine(train).getUsageMessage()).contains("(default: " + TrainingLimits.DEFAULT_EPOCHS + ")",
        TrainingLimits.DEFAULT_MODEL + ")");
  }
}
