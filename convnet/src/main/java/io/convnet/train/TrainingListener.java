package io.convnet.train;

/** Progress callbacks, called on the training thread (a service streams them as events). */
public interface TrainingListener {

  /** Before the first epoch run; {@code firstEpoch} > 1 after a resume. */
  default void onTrainingStart(int firstEpoch, int epochs, int batchesPerEpoch) {}

  /** After each training step: running means over the epoch so far. */
  default void onBatchEnd(int epoch, int batch, int batches, double loss, double accuracy) {}

  /** After validation; {@code best} when this epoch's validation loss is the lowest so far. */
  default void onEpochEnd(EpochMetrics metrics, boolean best) {}

  TrainingListener NONE = new TrainingListener() {};
}
