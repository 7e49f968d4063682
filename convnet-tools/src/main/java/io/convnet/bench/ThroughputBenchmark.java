package io.convnet.bench;

import io.convnet.arch.Architectures;
import io.convnet.bundle.BundleStore;
import io.convnet.bundle.Manifest;
import io.convnet.data.Augmentation;
import io.convnet.data.Batch;
import io.convnet.data.FolderDataset;
import io.convnet.data.PipelineOptions;
import io.convnet.data.Preprocessing;
import io.convnet.infer.Predictor;
import io.convnet.nn.Model;
import io.convnet.train.OptimizerSpec;
import io.convnet.train.Trainer;
import io.convnet.train.TrainingConfig;
import io.convnet.util.FileTrees;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Side by side in one run, tutorial CNN at 150x150, batch 32, RMSprop: training images/s with the input
 * pipeline (JPEG decoding and augmentation on background threads, no decode cache), with the pipeline's
 * decode cache (augmentation only, what training uses when the set fits in memory), and the same TF step
 * fed one ready-made batch (target ratio >= 0.90); then inference images/s at batch 1 and 32 through a
 * bundle loaded from disk.
 */
public final class ThroughputBenchmark {
  private ThroughputBenchmark() {}

  public static void run(Path data, int steps, int rounds, PrintWriter out) throws Exception {
    Path work = Files.createTempDirectory("convnet-throughput");
    try {
      Preprocessing pre = Preprocessing.rescale(150, 150);
      PipelineOptions opts = PipelineOptions.training(pre).withBatchSize(32).withAugmentation(Augmentation.tutorial())
          .withCacheBudgetBytes(0).withMaxPerClass(steps * 32 / 2 + 16) /* one epoch covers a round */;
      try (FolderDataset ds = FolderDataset.open(data.resolve("train"), opts);
          FolderDataset cached = FolderDataset.open(data.resolve("train"),
              opts.withCacheBudgetBytes(Runtime.getRuntime().maxMemory() / 4));
          Model model = Architectures.get("tutorial-cnn").define(150, 2).build(1)) {
        Trainer trainer = new Trainer(model, TrainingConfig.of(1, OptimizerSpec.rmsprop(1e-4), 1, work.resolve("w")));
        out.printf(Locale.ROOT, "throughput: %d steps x %d rounds of batch 32, pipeline workers %d, %d cores%n",
            steps, rounds, opts.workers(), Runtime.getRuntime().availableProcessors());
        Iterator<Batch> warm = ds.epoch(99);
        Batch ready = warm.next();
        for (int i = 0; i < 3; i++) {
          trainer.step(ready, i); // warm-up: first runs allocate and optimise the graph
        }
        double pipelineSeconds = 0;
        double cachedSeconds = 0;
        double readySeconds = 0;
        long step = 0;
        for (int r = 0; r < rounds; r++) {
          long t0 = System.nanoTime();
          for (int i = 0; i < steps; i++) {
            trainer.step(ready, step++);
          }
          readySeconds += (System.nanoTime() - t0) / 1e9;
          Iterator<Batch> it = ds.epoch(r);
          t0 = System.nanoTime();
          for (int i = 0; i < steps; i++) {
            trainer.step(it.next(), step++);
          }
          pipelineSeconds += (System.nanoTime() - t0) / 1e9;
          it = cached.epoch(r);
          t0 = System.nanoTime();
          for (int i = 0; i < steps; i++) {
            trainer.step(it.next(), step++);
          }
          cachedSeconds += (System.nanoTime() - t0) / 1e9;
        }
        double images = 32.0 * steps * rounds;
        double withPipeline = images / pipelineSeconds;
        double withTensors = images / readySeconds;
        double withCache = images / cachedSeconds;
        out.printf(Locale.ROOT, "training, decode+augment pipeline:         %.1f images/s%n", withPipeline);
        out.printf(Locale.ROOT, "training, augment pipeline (decode cache): %.1f images/s%n", withCache);
        out.printf(Locale.ROOT, "training, ready-made tensors:              %.1f images/s%n", withTensors);
        out.printf(Locale.ROOT, "RESULT pipeline/ready ratio: %.3f decode+augment, %.3f augment only (target >= 0.90)%n",
            withPipeline / withTensors, withCache / withTensors);
        out.flush();

        BundleStore store = new BundleStore(work.resolve("models"));
        store.publish("throughput", model, new Manifest(Manifest.FORMAT_VERSION, "throughput", 0, "tutorial-cnn",
            java.time.Instant.now().toString(), null, new Manifest.Preprocessing("RESCALE", 1 / 255.0),
            List.of("cat", "dog"), null, null, null, null, Map.of(), null));
        try (Predictor p = Predictor.open(store.latest("throughput"))) {
          for (int batch : new int[] {1, 32}) {
            float[] x = new float[batch * p.imageSize()];
            System.arraycopy(ready.pixels(), 0, x, 0, Math.min(x.length, ready.pixels().length));
            int calls = batch == 1 ? 300 : 30;
            for (int i = 0; i < 5; i++) {
              p.predict(x, batch);
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < calls; i++) {
              p.predict(x, batch);
            }
            double s = (System.nanoTime() - t0) / 1e9;
            out.printf(Locale.ROOT, "RESULT inference through a loaded bundle, batch %d: %.1f images/s (%.2f ms per "
                + "call)%n", batch, batch * calls / s, 1000 * s / calls);
            out.flush();
          }
        }
      }
    } finally {
      FileTrees.delete(work);
    }
  }
}
