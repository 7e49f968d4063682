package io.convnet.data;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;

/**
 * Items {@code 0..count-1} built on an executor and delivered in order, with at most {@code depth}
 * submitted and not yet taken: a bounded prefetch queue. Building starts when the iterator is created,
 * and every {@link #next()} submits the next item, so the workers keep {@code depth} items ahead of
 * the consumer. One consumer thread; {@link #close()} cancels what is still queued.
 */
public final class PrefetchIterator<T> implements Iterator<T>, AutoCloseable {
  private final ExecutorService executor;
  private final IntFunction<T> build;
  private final int count;
  private final int depth;
  private final BooleanSupplier sourceClosed;
  private Runnable onAllSubmitted;
  private final ArrayDeque<Future<T>> window = new ArrayDeque<>();
  private int submitted;
  private int delivered;
  private boolean closed;

  PrefetchIterator(ExecutorService executor, int count, int depth, IntFunction<T> build, BooleanSupplier sourceClosed) {
    this.executor = executor;
    this.build = build;
    this.count = count;
    this.depth = depth;
    this.sourceClosed = sourceClosed;
    fill();
  }

  @Override
  public boolean hasNext() {
    return !closed && delivered < count;
  }

  @Override
  public T next() {
    if (!hasNext()) {
      throw new NoSuchElementException(closed ? "the epoch iterator was closed" : "the epoch has no more batches");
    }
    requireOpen();
    Future<T> head = window.poll();
    try {
      T item = head.get();
      delivered++;
      fill();
      return item;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new CancellationException("interrupted while waiting for a batch");
    } catch (CancellationException e) {
      close();
      throw new IllegalStateException("the data set was closed", e);
    } catch (ExecutionException e) {
      close();
      Throwable cause = e.getCause();
      requireOpen();
      if (cause instanceof DataException) {
        throw new DataException(cause.getMessage(), cause);
      }
      throw new DataException("preparing batch " + delivered + " failed: " + cause, cause);
    }
  }

  /** Runs once, on the consumer's thread, when the last item has been submitted. */
  void onAllSubmitted(Runnable action) {
    this.onAllSubmitted = action;
    runIfAllSubmitted();
  }

  /** Batches submitted and not yet taken (never more than the depth). */
  int inFlight() {
    return window.size();
  }

  /** Cancels the batches prepared ahead; the iterator ends. */
  @Override
  public void close() {
    closed = true;
    for (Future<T> f : window) {
      f.cancel(true);
    }
    window.clear();
  }

  private void fill() {
    while (!closed && submitted < count && window.size() < depth) {
      int index = submitted++;
      try {
        window.add(executor.submit(() -> build.apply(index)));
      } catch (RejectedExecutionException e) {
        close();
        throw new IllegalStateException("the data set was closed", e);
      }
    }
    runIfAllSubmitted();
  }

  private void runIfAllSubmitted() {
    if (onAllSubmitted != null && submitted == count && !closed) {
      Runnable action = onAllSubmitted;
      onAllSubmitted = null;
      action.run();
    }
  }

  private void requireOpen() {
    if (sourceClosed.getAsBoolean()) {
      close();
      throw new IllegalStateException("the data set was closed");
    }
  }
}
