package io.convnet.serving.batch;

import io.convnet.infer.Predictor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dynamic batching for one loaded model version: images queued by any thread are run together
 * on one thread, up to {@code maxBatch} per TensorFlow call. Images queued while the previous
 * call ran go together at once; beyond those, the call waits (at most {@code maxWait} after its
 * oldest image) only for images already announced ({@link #expect}) and still being decoded, so
 * a lone request never waits for company that is not coming. Completions are handed to the
 * executor each image named (a Vert.x context), one hand-over per executor per call. An image
 * whose request was abandoned (its client's deadline passed, another of its images failed) is
 * not computed: it completes with a {@link CancellationException} when its turn comes.
 */
public final class Batcher {
  private static final Logger LOG = LoggerFactory.getLogger(Batcher.class);

  /** How often a waiting call looks whether the images it waits for are still being decoded. */
  private static final long WAIT_STEP_NANOS = 200_000;

  private record Item(float[] pixels, BooleanSupplier abandoned, long queuedNanos, Executor completeOn,
                      Scored.Completion completion) {
  }

  private static final BooleanSupplier NEVER = () -> false;

  private final String name;
  private final Predictor predictor;
  private final BatchMeters meters;
  private final int imageFloats;
  private final int maxBatch;
  private final long maxWaitNanos;
  private final LinkedBlockingQueue<Item> queue = new LinkedBlockingQueue<>();
  private final CountDownLatch ended = new CountDownLatch(1);
  private final AtomicInteger expected = new AtomicInteger();
  private volatile Thread thread;
  private float[] batch;
  private volatile boolean stopped;

  /**
   * @param threads runs the batching loop; a pool that reuses threads across versions, since each
   *                new thread that runs TensorFlow gets a malloc arena of its own that is never
   *                given back (resident memory would grow with every model switch)
   */
  public Batcher(String name, Predictor predictor, BatchMeters meters, int maxBatch, long maxWaitNanos,
                 Executor threads) {
    this.name = name;
    this.predictor = predictor;
    this.meters = meters;
    this.imageFloats = predictor.imageSize();
    this.maxBatch = maxBatch;
    this.maxWaitNanos = maxWaitNanos;
    threads.execute(this::loop);
  }

  /** {@code n} images are being decoded for this batcher: a call about to start may wait for them. */
  public void expect(int n) {
    expected.addAndGet(n);
  }

  /** An announced image will not come (its decoding failed). */
  public void unexpect() {
    expected.decrementAndGet();
  }

  /** Floats one preprocessed image has. */
  public int imageFloats() {
    return imageFloats;
  }

  /**
   * Queues one preprocessed image ({@link #imageFloats()} NHWC floats). {@code completion}
   * runs on {@code completeOn} (or on the batching thread when null), exactly once.
   */
  public void submit(float[] pixels, Executor completeOn, Scored.Completion completion) {
    submit(pixels, NEVER, completeOn, completion);
  }

  /**
   * {@link #submit(float[], Executor, Scored.Completion)} for an image that is not computed once
   * {@code abandoned} says so (checked on the batching thread when its call is put together): then
   * it completes with a {@link CancellationException}.
   */
  public void submit(float[] pixels, BooleanSupplier abandoned, Executor completeOn, Scored.Completion completion) {
    if (pixels.length != imageFloats) {
      throw new IllegalArgumentException("expected " + imageFloats + " floats, got " + pixels.length);
    }
    if (stopped) {
      expected.decrementAndGet();
      complete(completeOn, completion, null, new IllegalStateException("model " + name + " is unloaded"));
      return;
    }
    queue.add(new Item(pixels, abandoned, System.nanoTime(), completeOn, completion));
    expected.decrementAndGet();  // after queuing: a waiting call never sees it neither expected nor queued
  }

  /** Images waiting for a call. */
  public int queued() {
    return queue.size();
  }

  /** Stops the thread; images still queued fail (callers hold a reference while theirs are queued, so none should be). */
  public void stop() {
    stopped = true;
    Thread t = thread;
    if (t != null) {
      t.interrupt();
    }
    try {
      if (!ended.await(10, TimeUnit.SECONDS)) {
        LOG.warn("batcher {} did not stop within 10 s", name);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<Item> left = new ArrayList<>();
    queue.drainTo(left);
    left.forEach(i -> complete(i.completeOn(), i.completion(), null, new IllegalStateException("model " + name + " is unloaded")));
  }

  private void loop() {
    Thread current = Thread.currentThread();
    String poolName = current.getName();
    current.setName("convnet-batcher-" + name);
    thread = current;
    try {
      run();
    } finally {
      thread = null;
      Thread.interrupted();  // the pool's thread goes back clean
      current.setName(poolName);
      ended.countDown();
    }
  }

  private void run() {
    List<Item> items = new ArrayList<>(maxBatch);
    while (!stopped) {
      try {
        Item first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null || dropped(first)) {
          continue;
        }
        items.add(first);
        long deadline = first.queuedNanos() + maxWaitNanos;
        while (items.size() < maxBatch) {
          Item next = queue.poll();
          if (next == null) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0 || expected.get() <= 0) {
              break;
            }
            next = queue.poll(Math.min(remaining, WAIT_STEP_NANOS), TimeUnit.NANOSECONDS);
            if (next == null) {
              continue;
            }
          }
          if (!dropped(next)) {
            items.add(next);
          }
        }
        execute(items);
      } catch (InterruptedException e) {
        if (!stopped) {
          LOG.warn("batcher {} interrupted", name);
        }
      } catch (RuntimeException | Error e) {  // never let the thread die: the queue would hang
        LOG.error("batcher {} failed", name, e);
        for (Item i : items) {
          complete(i.completeOn(), i.completion(), null, e);
        }
      } finally {
        items.clear();
      }
    }
  }

  /** Completes an abandoned image without computing it; false for one still wanted. */
  private boolean dropped(Item item) {
    if (!item.abandoned().getAsBoolean()) {
      return false;
    }
    complete(item.completeOn(), item.completion(), null,
        new CancellationException("not computed: its request was abandoned"));
    return true;
  }

  private void execute(List<Item> items) {
    int n = items.size();
    if (batch == null) {
      batch = new float[maxBatch * imageFloats];
    }
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      Item item = items.get(i);
      System.arraycopy(item.pixels(), 0, batch, i * imageFloats, imageFloats);
      meters.queued(start - item.queuedNanos());
    }
    float[][] probabilities = null;
    Throwable failure = null;
    try {
      probabilities = predictor.predict(batch, n);
    } catch (RuntimeException e) {
      failure = e;
      LOG.error("model {}: a call of {} images failed", name, n, e);
    }
    long computeNanos = System.nanoTime() - start;
    if (failure == null) {
      meters.executed(n, computeNanos);
    }
    Map<Executor, List<Runnable>> byExecutor = new IdentityHashMap<>();
    for (int i = 0; i < n; i++) {
      Item item = items.get(i);
      Scored scored = failure == null
          ? new Scored(probabilities[i], start - item.queuedNanos(), computeNanos, n) : null;
      Throwable error = failure;
      Runnable done = () -> item.completion().done(scored, error);
      if (item.completeOn() == null) {
        safely(done);
      } else {
        byExecutor.computeIfAbsent(item.completeOn(), e -> new ArrayList<>()).add(done);
      }
    }
    byExecutor.forEach((executor, list) -> executor.execute(() -> list.forEach(Batcher::safely)));
  }

  private static void complete(Executor on, Scored.Completion completion, Scored scored, Throwable error) {
    Runnable done = () -> completion.done(scored, error);
    if (on == null) {
      safely(done);
    } else {
      on.execute(() -> safely(done));
    }
  }

  private static void safely(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.error("a completion failed", e);
    }
  }
}
