package io.convnet.kit.kafka;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Kafka consumer polled on its own thread: the life cycle every poll loop of the cluster
 * shares. {@link #start()} runs {@link #open()} (subscribe, or assign and seek) on that thread,
 * then {@link #turn()} (poll and handle) until {@link #finished()}; {@link #close()} wakes the
 * consumer so that a turn ends at once. A {@code RuntimeException} ends the loop: it is logged,
 * kept as {@link #failure()} ({@link #check()} then fails) and fails {@code start()} if that had
 * not completed. At the end {@link #shutDown()} runs, then the consumer closes, leaving its
 * group so that its partitions move at once.
 *
 * <p>A consumer is not thread-safe: only the loop's thread touches it, except for
 * {@code wakeup()}. Results travel to the Vert.x {@code context} with {@link #onContext}.
 */
public abstract class PollLoop {
  private static final Logger LOG = LoggerFactory.getLogger(PollLoop.class);

  protected final Context context;
  protected final KafkaConsumer<String, byte[]> consumer;
  private final String name;
  private final Thread thread;
  private final Promise<Void> opened = Promise.promise();
  private final Promise<Void> stopped = Promise.promise();
  private volatile boolean closing;
  private volatile Throwable failure;

  /**
   * @param name what the loop does, for logs, health checks and its thread's name
   *             ({@code convnet-<name>}), e.g. "serve-classify"
   */
  protected PollLoop(Context context, String name, KafkaConsumer<String, byte[]> consumer) {
    this.context = context;
    this.name = name;
    this.consumer = consumer;
    this.thread = new Thread(this::run, "convnet-" + name);
    this.thread.setDaemon(true);
  }

  /** Starts the thread; completes once {@link #open()} returned. */
  public Future<Void> start() {
    thread.start();
    return opened.future();
  }

  /** On the loop's thread, once: subscribe, or assign and position. */
  protected abstract void open();

  /** On the loop's thread, again and again: one poll and what it brought. */
  protected abstract void turn();

  /** Whether the loop ends now; by default once {@link #close()} was called. */
  protected boolean finished() {
    return closing;
  }

  /** On the loop's thread after the last turn (or a failure), before the consumer closes: final commits. */
  protected void shutDown() {
  }

  /** Ends the loop (after the current turn); completes once the consumer is closed. */
  public Future<Void> close() {
    closing = true;
    consumer.wakeup();
    return stopped.future();
  }

  protected final boolean closing() {
    return closing;
  }

  protected final boolean onLoopThread() {
    return Thread.currentThread() == thread;
  }

  /** Null while running (or stopped on purpose); why the loop died otherwise. */
  public final Throwable failure() {
    return failure;
  }

  public final String name() {
    return name;
  }

  /** A readiness check: down for good once the loop died on its own (it logged why). */
  public Future<Void> check() {
    Throwable f = failure;
    return f == null ? Future.succeededFuture() : Future.failedFuture(name + " stopped: " + f);
  }

  /** Hands {@code task} over to the Vert.x context (one hop: batch what one poll brought). */
  protected final void onContext(Runnable task) {
    context.runOnContext(v -> task.run());
  }

  private void run() {
    try {
      open();
      onContext(opened::tryComplete);
      while (!finished()) {
        try {
          turn();
        } catch (WakeupException e) {
          // close() asked us to look at finished()
        }
      }
    } catch (WakeupException e) {
      // closed while opening
    } catch (RuntimeException e) {
      LOG.error("{} failed", name, e);
      failure = e;
      onContext(() -> opened.tryFail(e));
    } finally {
      try {
        shutDown();
      } catch (RuntimeException e) {
        LOG.warn("{}: stopping: {}", name, e.toString());
      }
      try {
        consumer.close(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        LOG.warn("{}: closing the consumer: {}", name, e.toString());
      }
      onContext(() -> {
        opened.tryFail(name + " closed before it started");
        stopped.tryComplete();
      });
    }
  }
}
