package io.convnet.transfer;

import io.convnet.limits.TrainingLimits;
import java.nio.file.Path;

/**
 * Transfer learning and fine-tuning, as in the tutorial's VGG16 recipe: start the convolutional base from
 * Keras {@code .h5} weights, train only a new head on top of the frozen base (optionally on bottleneck features
 * computed once per image), then fine-tune the last block together with the head with SGD, a small learning rate
 * and momentum 0.9.
 *
 * @param weights Keras .h5 file whose layers initialise the base (matched by name); null = random base
 * @param freezeBase train only the head (the layers from the first Flatten on); the base stays bit-identical
 * @param cacheBottleneck run the frozen base once per image and train the head on the cached features (fast, but
 *     no augmentation in that phase: the features of an augmented image would differ every epoch)
 * @param fineTuneEpochs epochs of a second phase that also trains the base from {@code fineTuneFrom} on; 0 = none
 * @param fineTuneLearningRate SGD learning rate of that phase (momentum 0.9); 0 = {@value #DEFAULT_FINE_TUNE_LR}
 * @param fineTuneFrom first base layer to unfreeze; null = {@code block5_conv1} (VGG16's last block), else the
 *     base's last conv layer
 */
public record TransferOptions(Path weights, boolean freezeBase, boolean cacheBottleneck, int fineTuneEpochs,
    double fineTuneLearningRate, String fineTuneFrom) {

  public static final double DEFAULT_FINE_TUNE_LR = TrainingLimits.DEFAULT_FINE_TUNE_LEARNING_RATE;
  public static final double FINE_TUNE_MOMENTUM = 0.9;
  public static final TransferOptions NONE = new TransferOptions(null, false, false, 0, 0, null);

  public TransferOptions {
    fineTuneFrom = fineTuneFrom == null || fineTuneFrom.isBlank() ? null : fineTuneFrom.trim();
    if (cacheBottleneck && !freezeBase) {
      throw new IllegalArgumentException("caching bottleneck features needs a frozen base (freeze base): the features "
          + "of a base that trains change every step");
    }
    if (fineTuneEpochs < 0 || fineTuneEpochs > TrainingLimits.MAX_EPOCHS) {
      throw new IllegalArgumentException("fine-tune epochs must be 0.." + TrainingLimits.MAX_EPOCHS + ", got "
          + fineTuneEpochs);
    }
    if (Double.isNaN(fineTuneLearningRate) || fineTuneLearningRate < 0
        || fineTuneLearningRate > TrainingLimits.MAX_LEARNING_RATE) {
      throw new IllegalArgumentException("fine-tune learning rate must be > 0 and <= "
          + TrainingLimits.plain(TrainingLimits.MAX_LEARNING_RATE) + " (0 = "
          + DEFAULT_FINE_TUNE_LR + "), got " + fineTuneLearningRate);
    }
    if (fineTuneEpochs > 0 && !freezeBase) {
      throw new IllegalArgumentException("fine-tuning follows a frozen-base phase that trains the new head first: "
          + "set freeze base as well (without it every layer trains from the start)");
    }
    if (fineTuneEpochs == 0 && (fineTuneFrom != null || fineTuneLearningRate > 0)) {
      throw new IllegalArgumentException("a fine-tune learning rate or first layer was given without fine-tune epochs");
    }
    if (fineTuneEpochs > 0 && fineTuneLearningRate == 0) {
      fineTuneLearningRate = DEFAULT_FINE_TUNE_LR;
    }
  }

  /** Whether anything differs from plain training. */
  public boolean active() {
    return weights != null || freezeBase || cacheBottleneck || fineTuneEpochs > 0;
  }

  public boolean fineTune() {
    return fineTuneEpochs > 0;
  }

  public TransferOptions withWeights(Path file) {
    return new TransferOptions(file, freezeBase, cacheBottleneck, fineTuneEpochs, fineTuneLearningRate,
        fineTuneFrom);
  }
}
