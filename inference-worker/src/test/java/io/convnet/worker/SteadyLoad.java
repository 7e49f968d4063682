package io.convnet.worker;

import io.convnet.kit.testing.TestServices;
import io.convnet.proto.ClassifyReply;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Clients that classify one after another until closed, as steady traffic while a worker switches
 * versions: every answer and every failure (by message) counted, the version of the latest answer kept.
 */
final class SteadyLoad implements AutoCloseable {
  final AtomicInteger answered = new AtomicInteger();
  final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
  private final AtomicLong lastVersion = new AtomicLong();
  private final AtomicLong highestVersion = new AtomicLong();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Thread> clients;

  SteadyLoad(int clients, Supplier<Future<ClassifyReply>> request) {
    this.clients = Stream.generate(() -> new Thread(() -> {
      while (running.get()) {
        try {
          long version = TestServices.await(request.get()).getModel().getVersion();
          lastVersion.set(version);
          highestVersion.accumulateAndGet(version, Math::max);
          answered.incrementAndGet();
        } catch (RuntimeException e) {
          failures.computeIfAbsent(String.valueOf(e.getMessage()), k -> new AtomicInteger()).incrementAndGet();
        }
      }
    })).limit(clients).toList();
    this.clients.forEach(Thread::start);
  }

  long lastVersion() {
    return lastVersion.get();
  }

  long highestVersion() {
    return highestVersion.get();
  }

  /**
   * Waits until {@code version} answered, and then {@code more} further answers (of whichever version)
   * arrived, or {@code timeout} passed; returns the latest version that answered.
   */
  long awaitVersion(long version, int more, Duration timeout) throws InterruptedException {
    long until = System.nanoTime() + timeout.toNanos();
    int before = answered.get();
    while ((lastVersion.get() != version || answered.get() < before + more) && System.nanoTime() < until) {
      Thread.sleep(5);
    }
    return lastVersion.get();
  }

  /** Stops the clients once their requests in flight have ended. */
  @Override
  public void close() throws InterruptedException {
    running.set(false);
    for (Thread t : clients) {
      t.join();
    }
  }
}
