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
 * @param labelSmoothing the training loss's targets are {@code 1 - s + s / K} for the true class and {@code s / K}
 *     for the other {@code K - 1} (Keras' {@code label_smoothing}; a sigmoid's {@code K} is 2), in [0, 1); 0 = none.
 *     The validation loss is the same loss (as Keras reports it), so keep-best and early stopping follow what
 *     training minimises; an evaluation of the bundle reports the plain cross-entropy
 */
public record TrainingConfig(int epochs, OptimizerSpec optimizer, long seed, int patience, boolean keepBest,
    Path workDir, List<String> trainLayers, double labelSmoothing) {

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
    if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
      throw new IllegalArgumentException("label smoothing must be in [0, 1) (0 = none), got " + labelSmoothing);
    }
  }

  public static int requireEpochs(int epochs) {
    if (epochs < 1 || epochs > TrainingLimits.MAX_EPOCHS) {
      throw new IllegalArgumentException("epochs must be 1.." + TrainingLimits.MAX_EPOCHS + ", got " + epochs);
    }
    return epochs;
  }

  public static TrainingConfig of(int epochs, OptimizerSpec optimizer, long seed, Path workDir) {
    return new TrainingConfig(epochs, optimizer, seed, 0, true, workDir, null, 0);
  }

  public TrainingConfig withPatience(int p) {
    return new TrainingConfig(epochs, optimizer, seed, p, keepBest, workDir, trainLayers, labelSmoothing);
  }

  public TrainingConfig withKeepBest(boolean k) {
    return new TrainingConfig(epochs, optimizer, seed, patience, k, workDir, trainLayers, labelSmoothing);
  }

  public TrainingConfig withEpochs(int e) {
    return new TrainingConfig(e, optimizer, seed, patience, keepBest, workDir, trainLayers, labelSmoothing);
  }

  public TrainingConfig withWorkDir(Path dir) {
    return new TrainingConfig(epochs, optimizer, seed, patience, keepBest, dir, trainLayers, labelSmoothing);
  }

  public TrainingConfig withLabelSmoothing(double s) {
    return new TrainingConfig(epochs, optimizer, seed, patience, keepBest, workDir, trainLayers, s);
  }

  public TrainingConfig withTrainLayers(List<String> layers) {
    return new TrainingConfig(epochs, optimizer, seed, patience, keepBest, workDir, layers, labelSmoothing);
  }
}
