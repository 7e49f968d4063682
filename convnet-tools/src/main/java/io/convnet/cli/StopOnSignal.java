package io.convnet.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * Ctrl-C / SIGTERM during training: ask the trainer to stop at its next step and give it a moment to
 * return (the last epoch checkpoint is already on disk, so a hard kill loses nothing more).
 */
final class StopOnSignal implements BooleanSupplier, AutoCloseable {
  private final AtomicBoolean stop = new AtomicBoolean();
  private final CountDownLatch finished = new CountDownLatch(1);
  private final Thread hook = new Thread(this::stopAndWait, "convnet-stop");

  StopOnSignal() {
    Runtime.getRuntime().addShutdownHook(hook);
  }

  @Override
  public boolean getAsBoolean() {
    return stop.get();
  }

  private void stopAndWait() {
    stop.set(true);
    try {
      finished.await(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    finished.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running: it is waiting for us, and now returns
    }
  }
}
