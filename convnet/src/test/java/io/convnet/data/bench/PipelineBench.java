package io.convnet.data.bench;

import io.convnet.data.Batch;
import io.convnet.data.FolderDataset;
import io.convnet.data.PipelineOptions;
import io.convnet.data.Preprocessing;
import io.convnet.data.PrefetchIterator;
import io.convnet.image.TestImages;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;

/**
 * Input pipeline throughput on the real training set: tutorial augmentation, 150x150, batch 32,
 * 1 and 2 worker threads, decode-cache on and off; then how long a consumer that takes a simulated
 * training step waits for each batch. Not a unit test: prints figures.
 *
 * <pre>java -cp ... io.convnet.data.bench.PipelineBench [train-dir] [max-per-class] [step-ms]</pre>
 */
public final class PipelineBench {
  private PipelineBench() {}

  public static void main(String[] args) throws InterruptedException {
    Path dir = args.length > 0 ? Paths.get(args[0]) : TestImages.catsVsDogs().resolve("train");
    int perClass = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    int stepMs = args.length > 2 ? Integer.parseInt(args[2]) : 100;
    PipelineOptions base = PipelineOptions.training(Preprocessing.rescale(150, 150)).withMaxPerClass(perClass);
    System.out.printf(Locale.ROOT, "%s, %d images per class, 150x150, batch 32, tutorial augmentation, %d cores%n",
        dir, perClass, Runtime.getRuntime().availableProcessors());
    for (boolean cache : new boolean[] {true, false}) {
      for (int workers : new int[] {1, 2}) {
        PipelineOptions options = base.withWorkers(workers).withPrefetch(2 * workers)
            .withCacheBudgetBytes(cache ? Long.MAX_VALUE : 0);
        long t0 = System.nanoTime();
        try (FolderDataset set = FolderDataset.open(dir, options)) {
          double openS = (System.nanoTime() - t0) / 1e9;
          double[] rates = new double[3];
          for (int epoch = 0; epoch < rates.length; epoch++) {
            rates[epoch] = imagesPerSecond(set, epoch);
          }
          System.out.printf(Locale.ROOT,
              "cache %-3s workers %d: open %.2f s, epochs %.0f / %.0f / %.0f images/s%n",
              cache ? "on" : "off", workers, openS, rates[0], rates[1], rates[2]);
        }
      }
    }
    // A consumer taking a simulated training step per batch, across an epoch boundary.
    PipelineOptions worst = base.withWorkers(1).withPrefetch(2).withCacheBudgetBytes(0);
    try (FolderDataset set = FolderDataset.open(dir, worst)) {
      long waited = 0;
      long maxWait = 0;
      int batches = 0;
      for (int e = 0; e < 2; e++) {
        try (PrefetchIterator<Batch> epoch = set.epoch(e)) {
          if (e == 0) {
            epoch.next(); // nothing can prepare the very first batch ahead of the request
          }
          for (int b = 0; epoch.hasNext() && (e == 0 || b < 5); b++) {
            Thread.sleep(stepMs); // the TensorFlow step
            long t = System.nanoTime();
            epoch.next();
            long w = System.nanoTime() - t;
            waited += w;
            maxWait = Math.max(maxWait, w);
            if (Boolean.getBoolean("bench.verbose")) {
              System.out.printf(Locale.ROOT, "  epoch %d batch %d waited %.2f ms%n", e, b, w / 1e6);
            }
            batches++;
          }
        }
      }
      System.out.printf(Locale.ROOT,
          "cache off, 1 worker, consumer step %d ms: waited %.2f ms per batch on average, %.2f ms at most,"
              + " over %d batches including an epoch boundary%n",
          stepMs, waited / 1e6 / batches, maxWait / 1e6, batches);
    }
  }

  private static double imagesPerSecond(FolderDataset set, int epoch) {
    long start = System.nanoTime();
    int images = 0;
    double checksum = 0;
    try (PrefetchIterator<Batch> it = set.epoch(epoch)) {
      while (it.hasNext()) {
        Batch b = it.next();
        images += b.size();
        checksum += b.pixels()[b.pixels().length / 2];
      }
    }
    if (Double.isNaN(checksum)) {
      throw new IllegalStateException("NaN pixels");
    }
    return images / ((System.nanoTime() - start) / 1e9);
  }
}
