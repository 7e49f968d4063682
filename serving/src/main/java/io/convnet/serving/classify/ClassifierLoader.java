package io.convnet.serving.classify;

import io.convnet.infer.Predictor;
import io.convnet.serving.batch.BatchMeters;
import io.convnet.serving.batch.Batcher;
import io.convnet.serving.image.ModelInput;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Loads bundles as {@link Classifier}s that batch dynamically (at most {@code maxBatch} images a
 * TensorFlow call, waiting at most {@code maxBatchWait} for images already being decoded). Owns the
 * batching threads, which are reused from version to version: a new thread that runs TensorFlow
 * gets a malloc arena of its own that is never given back, so resident memory would otherwise grow
 * with every model switch.
 */
public final class ClassifierLoader implements AutoCloseable {
  private final int maxBatch;
  private final long maxBatchWaitNanos;
  private final ExecutorService batchThreads;

  public ClassifierLoader(int maxBatch, Duration maxBatchWait) {
    this.maxBatch = maxBatch;
    this.maxBatchWaitNanos = maxBatchWait.toNanos();
    // idle threads are kept (not timed out): a new thread would mean a new malloc arena
    this.batchThreads = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 365, TimeUnit.DAYS, new SynchronousQueue<>(), r -> {
      Thread t = new Thread(r, "convnet-batcher");
      t.setDaemon(true);
      return t;
    });
  }

  /** Loads the bundle in {@code dir} (seconds for a large model: never on an event loop). */
  public Classifier load(Path dir, String name, int version, BatchMeters meters) {
    Predictor predictor = Predictor.open(dir);
    try {
      ModelInput input = ModelInput.of(predictor.manifest(), dir.toString());
      Batcher batcher = new Batcher(name + "-v" + version, predictor, meters, maxBatch, maxBatchWaitNanos, batchThreads);
      return new Classifier(predictor, input, batcher);
    } catch (RuntimeException e) {
      predictor.close();
      throw e;
    }
  }

  /** Stops the batching threads; close the classifiers first. */
  @Override
  public void close() {
    batchThreads.shutdown();
  }
}
