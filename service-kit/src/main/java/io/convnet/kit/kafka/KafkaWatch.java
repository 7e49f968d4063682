package io.convnet.kit.kafka;

import io.convnet.kit.config.KitConfig;
import io.convnet.kit.config.Settings;
import io.convnet.proto.Topic;
import io.convnet.proto.Topics;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether Kafka can be reached, known at once from cached state, so that nobody waits on a
 * broker to find out: {@code /health/ready} reads it, and the requester answers 503 at once
 * while Kafka is down. A probe ({@code describeCluster}, asynchronous) runs every
 * {@code CONVNET_KAFKA_CHECK_INTERVAL_MS}. One that fails counts only when Kafka gave no other
 * sign of life meanwhile ({@link #alive()}: replies, acknowledgements) and no bootstrap address
 * accepts a TCP connection (a stopped broker refuses at once, an unreachable host times out):
 * a broker that is merely slow, as on a loaded machine, still accepts, so it is asked again
 * rather than declared down. A send that fails for want of a broker says so at once
 * ({@link #suspect}). Kafka counts as up again once a probe succeeds and the kit's producer
 * knows the partitions of every topic again, so the first sends after an outage go out instead
 * of failing.
 */
public final class KafkaWatch {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaWatch.class);
  /** While the broker is back but the producer's metadata is not: look again soon. */
  private static final long METADATA_RECHECK_MS = 100;
  /** How long a TCP connection to a bootstrap address may take before the address counts as unreachable. */
  private static final int MIN_CONNECT_TIMEOUT_MS = 1000;

  private final Vertx vertx;
  private final Context context;
  private final Admin admin;
  private final Producer<String, byte[]> producer;
  private final String bootstrap;
  private final int timeoutMs;
  private final long intervalMs;
  private final List<SocketAddress> addresses;
  private final NetClient tcp;
  private final List<Consumer<String>> onDown = new CopyOnWriteArrayList<>();
  private volatile String downReason;
  private volatile long downSinceNanos;
  private volatile long lastSignOfLifeNanos = System.nanoTime();
  private boolean probing;
  private boolean closed;
  private long timerId = -1;

  public KafkaWatch(Vertx vertx, Context context, Admin admin, Producer<String, byte[]> producer, KitConfig config) {
    this.vertx = vertx;
    this.context = context;
    this.admin = admin;
    this.producer = producer;
    this.bootstrap = config.bootstrapServers();
    this.timeoutMs = config.getInt(Settings.KAFKA_CHECK_TIMEOUT_MS);
    this.intervalMs = Math.max(1, config.getInt(Settings.KAFKA_CHECK_INTERVAL_MS));
    this.addresses = addresses(bootstrap);
    this.tcp = vertx.createNetClient(new NetClientOptions().setConnectTimeout(Math.max(timeoutMs, MIN_CONNECT_TIMEOUT_MS)));
  }

  /** Starts probing; Kafka counts as up until a probe or a send says otherwise (the service has just reached it). */
  public void start() {
    context.runOnContext(v -> probe());
  }

  public boolean up() {
    return downReason == null;
  }

  /** Why Kafka counts as down; null while up. */
  public String downReason() {
    return downReason;
  }

  /** A readiness check answered from the last probe, without waiting. */
  public Future<Void> check() {
    String reason = downReason;
    return reason == null ? Future.succeededFuture() : Future.failedFuture(reason);
  }

  /** From any thread, cheaply: Kafka just answered (a reply arrived, a record was acknowledged). */
  public void alive() {
    lastSignOfLifeNanos = System.nanoTime();
  }

  /** {@code listener} is told (on this watch's context) each time Kafka goes down, with the reason. */
  public void onDown(Consumer<String> listener) {
    onDown.add(listener);
  }

  /**
   * From any thread: a send failed because no broker could take it (no metadata, timed out).
   * Kafka counts as down from now until a probe finds it back.
   */
  public void suspect(Throwable sendFailure) {
    if (up() && sendFailure instanceof TimeoutException) {
      context.runOnContext(v -> {
        down("cannot write to Kafka at " + bootstrap + ": " + sendFailure.getMessage());
        probe();  // confirms it, or finds Kafka back
      });
    }
  }

  public void close() {
    context.runOnContext(v -> {
      closed = true;
      vertx.cancelTimer(timerId);
      tcp.close();
    });
  }

  private void probe() {
    if (probing || closed) {
      return;
    }
    probing = true;
    vertx.cancelTimer(timerId);
    long started = System.nanoTime();
    KafkaFutures.on(context, admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs)).clusterId())
        .transform(ar -> ar.succeeded() || !up() ? Future.succeededFuture(ar) : failedProbe(started, ar))
        .onComplete(outcome -> {
          probing = false;
          AsyncResult<String> ar = outcome.result();
          long next = intervalMs;
          if (ar == null) {
            next = 0;  // slow, not gone: ask again at once
          } else if (ar.failed()) {
            down("unreachable at " + bootstrap + ": " + ar.cause().getMessage());
          } else {
            alive();
            List<String> unknown = topicsWithoutMetadata();
            if (unknown.isEmpty()) {
              back();
            } else {
              down("reachable again, waiting for the partitions of " + unknown);
              next = METADATA_RECHECK_MS;
            }
          }
          if (!closed) {
            timerId = vertx.setTimer(Math.max(1, next), t -> probe());
          }
        });
  }

  /**
   * After a failed probe while up: the failure (Kafka is down) when Kafka refused (an error other
   * than a timeout: authentication, ...), or answered nobody else meanwhile and no bootstrap
   * address accepts a connection; null (slow, not gone) otherwise.
   */
  private Future<AsyncResult<String>> failedProbe(long probeStarted, AsyncResult<String> failure) {
    Throwable cause = failure.cause() instanceof CompletionException c && c.getCause() != null ? c.getCause()
        : failure.cause();
    if (!(cause instanceof TimeoutException)) {
      return Future.succeededFuture(failure);
    }
    if (lastSignOfLifeNanos - probeStarted > 0) {
      return Future.succeededFuture(null);
    }
    return anyAccepts().map(accepts -> accepts ? null : failure);
  }

  /** Whether a TCP connection to some bootstrap address succeeds (closed at once: only the listener matters). */
  private Future<Boolean> anyAccepts() {
    List<Future<Boolean>> tries = addresses.stream().map(address -> tcp.connect(address)
        .map(socket -> {
          socket.close();
          return true;
        })
        .otherwise(false)).toList();
    return Future.join(tries).map(all -> tries.stream().anyMatch(f -> Boolean.TRUE.equals(f.result())))
        .otherwise(false);
  }

  /** {@code host:port,host:port} ({@code [v6]:port} too) as socket addresses. */
  static List<SocketAddress> addresses(String bootstrap) {
    return java.util.Arrays.stream(bootstrap.split(",")).map(String::trim).filter(a -> !a.isEmpty()).map(a -> {
      int colon = a.lastIndexOf(':');
      String host = a.substring(0, colon).replaceAll("^\\[|]$", "");
      return SocketAddress.inetSocketAddress(Integer.parseInt(a.substring(colon + 1)), host);
    }).toList();
  }

  /**
   * Topics whose partitions the producer does not know; asking fetches them. The kit's producer
   * has {@code max.block.ms} 0, so asking never waits on this event loop.
   */
  private List<String> topicsWithoutMetadata() {
    return Topics.ALL.stream().map(Topic::name).filter(name -> {
      try {
        return producer.partitionsFor(name).isEmpty();
      } catch (RuntimeException e) {
        return true;
      }
    }).toList();
  }

  private void down(String reason) {
    boolean wasUp = downReason == null;
    downReason = reason;
    if (wasUp) {
      downSinceNanos = System.nanoTime();
      LOG.warn("Kafka down: {}", reason);
      onDown.forEach(listener -> listener.accept(reason));
    }
  }

  private void back() {
    if (downReason != null) {
      LOG.info("Kafka reachable again after {} ms", (System.nanoTime() - downSinceNanos) / 1_000_000);
      downReason = null;
    }
  }
}
