package io.convnet.cli;

import io.convnet.train.EpochMetrics;
import io.convnet.train.TrainingListener;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Keras-style progress: a bar redrawn in place during each epoch (on a terminal; in a log, every 10%),
 * then one line of metrics per epoch.
 */
final class ProgressBar implements TrainingListener {
  private static final int WIDTH = 30;
  private final PrintWriter out;
  private final boolean terminal;
  private int epochs;
  private long epochStart;
  private int lastTenth = -1;

  ProgressBar(PrintWriter out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  @Override
  public void onTrainingStart(int firstEpoch, int epochs, int batchesPerEpoch) {
    this.epochs = epochs;
    if (firstEpoch > 1) {
      out.printf(Locale.ROOT, "resuming at epoch %d/%d%n", firstEpoch, epochs);
    }
    epochStart = System.nanoTime();
  }

  @Override
  public void onBatchEnd(int epoch, int batch, int batches, double loss, double accuracy) {
    if (batch == 1) {
      epochStart = System.nanoTime();
      lastTenth = -1;
    }
    int tenth = batch * 10 / batches;
    if (!terminal && tenth == lastTenth) {
      return;
    }
    lastTenth = tenth;
    int filled = batch * WIDTH / batches;
    String bar = "=".repeat(Math.max(0, filled - 1)) + (filled < WIDTH ? ">" : "=") + ".".repeat(WIDTH - filled);
    double elapsed = (System.nanoTime() - epochStart) / 1e9;
    double eta = batch == 0 ? 0 : elapsed / batch * (batches - batch);
    String line = String.format(Locale.ROOT, "Epoch %d/%d %4d/%d [%s] - ETA %3.0fs - loss: %.4f - accuracy: %.4f",
        epoch, epochs, batch, batches, bar, eta, loss, accuracy);
    if (terminal) {
      out.print("\r" + line);
    } else {
      out.println(line);
    }
    out.flush();
  }

  @Override
  public void onEpochEnd(EpochMetrics m, boolean best) {
    if (terminal) {
      out.println();
    }
    out.printf(Locale.ROOT, "Epoch %d/%d - %.1fs - loss: %.4f - accuracy: %.4f - val_loss: %.4f - val_accuracy: %.4f%s%n",
        m.epoch(), epochs, m.seconds(), m.loss(), m.accuracy(), m.valLoss(), m.valAccuracy(), best ? " (best)" : "");
    out.flush();
  }
}
