package io.convnet.train;

import io.convnet.limits.TrainingLimits;
import java.nio.file.Path;
import java.util.List;

/**
 * How to train.
 *
 * @param epochs maximum epochs, 1..{@link TrainingLimits#MAX_EPOCHS}
 * @param patience early stopping: stop after this many epochs without a lower validation loss; 0 = never
 * @param keepBest end with the weights of the epoch of lowest validation loss (else the last epoch's)
 * @param workDir where per-epoch checkpoints go; a run finding one there resumes after its epoch
 * @param trainLayers layers to train; null = those the model marks trainable
 */
public record TrainingConfig(int epochs, OptimizerSpec optimizer, long seed, int patience, boolean keepBest,
    Path workDir, List<String> trainLayers) {

  public TrainingConfig {
    requireEpochs(epochs);
    if (optimizer == null) {
      throw new IllegalArgumentException("optimizer is required");
    }
    if (patience < 0) {
      throw new IllegalArgumentException("patience must be >= 0 (0 = no early stopping), got " + patience);
    }
    if (workDir == null) {
      throw new IllegalArgumentException("a work directory for checkpoints is required");
    }
    trainLayers = trainLayers == null ? null : List.copyOf(trainLayers);
  }

  public static int requireEpochs(int epochs) {
    if (epochs < 1 || epochs > TrainingLimits.MAX_EPOCHS) {
      throw new IllegalArgumentException("epochs must be 1.." + TrainingLimits.MAX_EPOCHS + ", got " + epochs);
    }
    return epochs;
  }

  public static TrainingConfig of(int epochs, OptimizerSpec optimizer, long seed, Path workDir) {
    return new TrainingConfig(epochs, optimizer, seed, 0, true, workDir, null);
  }

  public TrainingConfig withPatience(int p) {
    return new TrainingConfig(epochs, optimizer, seed, p, keepBest, workDir, trainLayers);
  }

  public TrainingConfig withKeepBest(boolean k) {
    return new TrainingConfig(epochs, optimizer, seed, patience, k, workDir, trainLayers);
  }

  public TrainingConfig withEpochs(int e) {
    return new TrainingConfig(e, optimizer, seed, patience, keepBest, workDir, trainLayers);
  }

  public TrainingConfig withWorkDir(Path dir) {
    return new TrainingConfig(epochs, optimizer, seed, patience, keepBest, dir, trainLayers);
  }

  public TrainingConfig withTrainLayers(List<String> layers) {
    return new TrainingConfig(epochs, optimizer, seed, patience, keepBest, workDir, layers);
  }
}
