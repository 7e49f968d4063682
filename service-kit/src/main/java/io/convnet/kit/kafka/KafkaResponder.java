package io.convnet.kit.kafka;

import com.google.protobuf.MessageLite;
import io.convnet.proto.Exchange;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.apache.kafka.clients.producer.Producer;

/**
 * Answers requests over Kafka. {@link #serve} starts one consumer (on its own thread) per
 * exchange: instances of a service share the work of a unicast exchange through the
 * consumer group named after the service; every instance receives every request of a
 * broadcast exchange (status pings). Handlers run on the Vert.x context that called
 * {@code serve}; each reply goes to the partition the request named.
 */
public final class KafkaResponder {
  private final Vertx vertx;
  private final KafkaClients clients;
  private final Producer<String, byte[]> producer;
  private final MeterRegistry registry;
  private final List<ServeLoop<?, ?>> loops = new CopyOnWriteArrayList<>();

  public KafkaResponder(Vertx vertx, KafkaClients clients, Producer<String, byte[]> producer, MeterRegistry registry) {
    this.vertx = vertx;
    this.clients = clients;
    this.producer = producer;
    this.registry = registry;
  }

  /**
   * Serves {@code exchange} with {@code handler}; a handler's failure travels back as an
   * error reply (a {@code ServiceException}'s code, else INTERNAL). The future completes
   * once the consumer is subscribed (unicast) or positioned at the end of every partition
   * (broadcast).
   */
  public <Q extends MessageLite, R extends MessageLite> Future<Void> serve(Exchange<Q, R> exchange, Function<Q, Future<R>> handler) {
    return serve(exchange, (Handler<Q, R>) (request, deadline) -> handler.apply(request));
  }

  /** {@link #serve(Exchange, Function)} for a handler that drops work once the request's {@link Deadline} has passed. */
  public <Q extends MessageLite, R extends MessageLite> Future<Void> serve(Exchange<Q, R> exchange, Handler<Q, R> handler) {
    ServeLoop<Q, R> loop = new ServeLoop<>(vertx.getOrCreateContext(), clients, producer, registry, exchange, handler);
    loops.add(loop);
    return loop.start();
  }

  /** Answers one request, knowing until when the asker waits for the answer ({@link Deadline#NONE}: no limit). */
  @FunctionalInterface
  public interface Handler<Q, R> {
    Future<R> handle(Q request, Deadline deadline);
  }

  /** A readiness check: fails when a consumer stopped serving on its own (it logged why). */
  public Future<Void> check() {
    for (ServeLoop<?, ?> loop : loops) {
      if (loop.failure() != null) {
        return Future.failedFuture("serving " + loop.exchangeName() + " stopped: " + loop.failure());
      }
    }
    return Future.succeededFuture();
  }

  /** Handles nothing new, lets what is in flight finish up to {@code grace}, commits, leaves the groups. */
  public Future<Void> close(Duration grace) {
    return Future.all(loops.stream().map(l -> l.close(grace)).toList()).mapEmpty();
  }
}
