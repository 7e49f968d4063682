package io.convnet.train;

/**
 * The training loss stopped being a finite number: the learning rate was too high for the data. The
 * request, not the machine, is at fault (the trainer service answers INVALID_ARGUMENT).
 */
public final class TrainingDivergedException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  private final double loss;
  private final int epoch;
  private final int step;

  public TrainingDivergedException(double loss, int epoch, int step) {
    super("training diverged: loss is " + loss + " at epoch " + epoch + " step " + step + "; lower the learning rate");
    this.loss = loss;
    this.epoch = epoch;
    this.step = step;
  }

  public double loss() {
    return loss;
  }

  public int epoch() {
    return epoch;
  }

  public int step() {
    return step;
  }
}
