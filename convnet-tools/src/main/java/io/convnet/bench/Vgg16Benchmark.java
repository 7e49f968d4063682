package io.convnet.bench;

import io.convnet.arch.Vgg16;
import io.convnet.job.TrainAndPublish;
import io.convnet.job.TrainingOutcome;
import io.convnet.job.TrainingRequest;
import io.convnet.keras.KerasH5Writer;
import io.convnet.nn.Model;
import io.convnet.nn.Sequential;
import io.convnet.train.EpochMetrics;
import io.convnet.train.OptimizerSpec;
import io.convnet.train.TrainingListener;
import io.convnet.transfer.TransferOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.function.BooleanSupplier;

/**
 * VGG16 figures: forward-pass time per image at 224x224 (batch 1 and 8) with peak memory, and a transfer-learning
 * run on cats-vs-dogs from a base initialised with whatever weights are at hand (random ones written in Keras'
 * layout here: no ImageNet weights can be downloaded on this machine).
 */
public final class Vgg16Benchmark {
  private Vgg16Benchmark() {}

  /** Median seconds per image of {@code rounds} forward passes at each batch size, after one warm-up pass each. */
  public static void forward(int size, boolean top, int rounds, PrintWriter out) {
    Sequential spec = top ? Vgg16.withTop(size, size, 1000) : Vgg16.withHead(size, size, 2);
    out.printf(Locale.ROOT, "VGG16 %s at %dx%d: %,d parameters; %d cores; load average %s%n",
        top ? "with the ImageNet top" : "base + small head", size, size, spec.paramCount(),
        Runtime.getRuntime().availableProcessors(), loadAverage());
    long buildStart = System.nanoTime();
    try (Model m = spec.build(1)) {
      out.printf(Locale.ROOT, "build + initialise: %.1f s; peak RSS %d MB%n", (System.nanoTime() - buildStart) / 1e9,
          peakRssMb());
      for (int batch : new int[] {1, 8}) {
        float[] x = new float[batch * size * size * 3];
        Random r = new Random(batch);
        for (int i = 0; i < x.length; i++) {
          x[i] = (float) (r.nextGaussian() * 60);
        }
        m.predict(x, batch);
        double[] perImage = new double[rounds];
        for (int i = 0; i < rounds; i++) {
          long t = System.nanoTime();
          m.predict(x, batch);
          perImage[i] = (System.nanoTime() - t) / 1e9 / batch;
        }
        Arrays.sort(perImage);
        out.printf(Locale.ROOT, "batch %d: %.3f s per image (median of %d; best %.3f, worst %.3f), %.1f images/s; "
            + "peak RSS %d MB%n", batch, perImage[rounds / 2], rounds, perImage[0], perImage[rounds - 1],
            1 / perImage[rounds / 2], peakRssMb());
        out.flush();
      }
    }
  }

  /**
   * Writes a random VGG16 base in Keras' notop layout, then trains like {@code train --arch vgg16 --weights
   * <that file> --freeze-base [--cache-bottleneck] [--fine-tune-epochs N]} and prints the epochs and the result.
   */
  public static TrainingOutcome transfer(Path data, Path store, int size, int maxPerClass, int epochs, boolean cache,
      int fineTuneEpochs, long seed, PrintWriter out, TrainingListener progress, BooleanSupplier cancelled)
      throws IOException {
    Path weights = store.resolve(".work").resolve("vgg16_random_seed" + seed + "_notop.h5");
    Files.createDirectories(weights.getParent());
    try (Model random = Vgg16.withHead(size, size, 2).build(seed)) {
      KerasH5Writer.write(random, weights, KerasH5Writer.Options.APPLICATIONS.onlyLayers(
          Vgg16.base(size, size).layerNames()));
    }
    out.printf(Locale.ROOT, "base weights: %s (random, seed %d: NOT ImageNet); %dx%d, %s per class, head %d epochs "
        + "(RMSprop 2e-5, batch 20)%s, fine-tune %d epochs (SGD 1e-5, momentum 0.9); load average %s%n", weights, seed,
        size, size, maxPerClass == 0 ? "all" : Integer.toString(maxPerClass), epochs,
        cache ? " on cached bottleneck features" : " with augmentation", fineTuneEpochs, loadAverage());
    TrainingRequest req = new TrainingRequest(Vgg16.ID, "bench-vgg16-transfer", data, epochs, 20, true,
        OptimizerSpec.rmsprop(2e-5), seed, maxPerClass, size, 0, store, null, false,
        new TransferOptions(weights, true, cache, fineTuneEpochs, fineTuneEpochs > 0 ? 1e-5 : 0, null));
    TrainingOutcome o = TrainAndPublish.run(req, new TrainingListener() {
      @Override
      public void onTrainingStart(int firstEpoch, int epochs, int batchesPerEpoch) {
        progress.onTrainingStart(firstEpoch, epochs, batchesPerEpoch);
      }

      @Override
      public void onBatchEnd(int epoch, int batch, int batches, double loss, double accuracy) {
        progress.onBatchEnd(epoch, batch, batches, loss, accuracy);
      }

      @Override
      public void onEpochEnd(EpochMetrics m, boolean best) {
        progress.onEpochEnd(m, best);
        out.printf(Locale.ROOT, "epoch %d: loss %.4f acc %.3f, val_loss %.4f val_acc %.3f, %.0f s%s%n", m.epoch(),
            m.loss(), m.accuracy(), m.valLoss(), m.valAccuracy(), m.seconds(), best ? " (best)" : "");
        out.flush();
      }
    }, cancelled);
    o.history().best().ifPresent(b -> out.printf(Locale.ROOT, "RESULT vgg16-transfer (random base): best val_accuracy "
        + "%.4f (val_loss %.4f) at epoch %d of %d; published %s; wall %.0f s; peak RSS %d MB%n", b.valAccuracy(),
        b.valLoss(), b.epoch(), o.history().epochs().size(), o.bundleDir(), o.seconds(), peakRssMb()));
    return o;
  }

  /** Peak resident memory of this process (VmHWM), in MB; -1 where /proc is absent. */
  public static long peakRssMb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux
    }
    return -1;
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException e) {
      return "?";
    }
  }
}
