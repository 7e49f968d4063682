package io.convnet.inference.model;

import io.convnet.bundle.Manifest;
import io.convnet.data.Preprocessing;
import io.convnet.infer.Predictor;
import io.convnet.inference.WorkerConfig;
import io.convnet.inference.batch.Batcher;
import io.convnet.inference.batch.InferenceMetrics;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One model version in memory: its predictor, batcher and meters, reference counted. The
 * registry holds one reference while the version is served or cached; every request holds one
 * from acquiring the version until its answer. When the registry lets go ({@link #retire}) and
 * the last request ends, the batcher stops and the TensorFlow session is closed (off the
 * caller's thread), so a switch fails no request and leaves no native memory behind.
 */
public final class LoadedModel {
  private static final Logger LOG = LoggerFactory.getLogger(LoadedModel.class);

  private final String name;
  private final int version;
  private final Predictor predictor;
  private final Preprocessing preprocessing;
  private final Batcher batcher;
  private final InferenceMetrics.Meters meters;
  private final Executor closer;
  private final AtomicInteger refs = new AtomicInteger(1);
  private final AtomicBoolean retired = new AtomicBoolean();

  private LoadedModel(String name, int version, Predictor predictor, Preprocessing preprocessing, Batcher batcher,
                      InferenceMetrics.Meters meters, Executor closer) {
    this.name = name;
    this.version = version;
    this.predictor = predictor;
    this.preprocessing = preprocessing;
    this.batcher = batcher;
    this.meters = meters;
    this.closer = closer;
  }

  /** Loads the bundle in {@code dir} (seconds for a large model: never on an event loop). */
  static LoadedModel load(Path dir, String name, int version, WorkerConfig config, InferenceMetrics metrics,
                          Executor batchThreads, Executor closer) {
    long t0 = System.nanoTime();
    Predictor predictor = Predictor.open(dir);
    try {
      Manifest m = predictor.manifest();
      if (m.input() == null || m.input().channels() != 3) {
        throw new IllegalArgumentException("bundle " + dir + " does not take RGB images (input " + m.input() + ")");
      }
      Preprocessing prep = new Preprocessing(m.input().height(), m.input().width(),
          Preprocessing.Mode.parse(m.preprocessing() == null ? "rescale" : m.preprocessing().mode()));
      InferenceMetrics.Meters meters = metrics.of(name, version);
      Batcher batcher = new Batcher(name + "-v" + version, predictor, meters, config.maxBatch(),
          config.maxBatchWait().toNanos(), batchThreads);
      LOG.info("loaded {} v{} from {} in {} ms ({}x{}, labels {})", name, version, dir,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), m.input().width(), m.input().height(), m.labels());
      return new LoadedModel(name, version, predictor, prep, batcher, meters, closer);
    } catch (RuntimeException e) {
      predictor.close();
      throw e;
    }
  }

  public String name() {
    return name;
  }

  public int version() {
    return version;
  }

  public Manifest manifest() {
    return predictor.manifest();
  }

  public List<String> labels() {
    return predictor.labels();
  }

  public Preprocessing preprocessing() {
    return preprocessing;
  }

  /** The model's input {@code {height, width, channels}}. */
  public int[] inputShape() {
    var input = predictor.manifest().input();
    return new int[] {input.height(), input.width(), input.channels()};
  }

  public Batcher batcher() {
    return batcher;
  }

  public InferenceMetrics.Meters meters() {
    return meters;
  }

  /** A reference for one request; false once the version is closed (then look it up again). */
  public boolean tryAcquire() {
    while (true) {
      int r = refs.get();
      if (r == 0) {
        return false;
      }
      if (refs.compareAndSet(r, r + 1)) {
        return true;
      }
    }
  }

  /** Ends a request's reference. */
  public void release() {
    int left = refs.decrementAndGet();
    if (left == 0) {
      closer.execute(this::close);
    } else if (left < 0) {
      throw new IllegalStateException(this + " released more often than acquired");
    }
  }

  /** The registry lets go: closed once the requests holding it end. */
  void retire() {
    if (retired.compareAndSet(false, true)) {
      release();
    }
  }

  boolean retired() {
    return retired.get();
  }

  private void close() {
    batcher.stop();
    predictor.close();
    LOG.info("unloaded {} v{}", name, version);
  }

  @Override
  public String toString() {
    return name + " v" + version;
  }
}
