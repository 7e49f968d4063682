package io.convnet.kit.kafka;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import io.convnet.kit.ServiceException;
import io.convnet.kit.config.KitConfig;
import io.convnet.kit.config.Settings;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.Exchange;
import io.convnet.proto.Exchanges;
import io.convnet.proto.Headers;
import io.convnet.proto.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks over Kafka and waits for the answer. This instance joins the reply group
 * ({@code <service>-replies}) on {@link Topics#REPLIES}, tracks the partitions it owns and
 * names one in each request's {@link Headers#REPLY_PARTITION}, so replies come back to it
 * alone. A request ends with its reply, a {@link ServiceException} the responder sent,
 * {@code DEADLINE_EXCEEDED} after its timeout, {@code BUSY} at once when too many are in
 * flight, or {@code UNAVAILABLE} while no reply partition is owned.
 *
 * <p>The reply consumer runs on its own thread; results complete on the caller's Vert.x
 * context (or this requester's, for callers off any context).
 */
public final class KafkaRequester {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaRequester.class);

  private final Vertx vertx;
  private final Context ownContext;
  private final Producer<String, byte[]> producer;
  private final ReplyLoop replies;
  private final Duration defaultTimeout;
  private final int maxInFlight;
  private final Map<String, Pending<?>> pending = new ConcurrentHashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger roundRobin = new AtomicInteger();
  /** Correlation ids: unique per instance (random prefix), cheap per request (counter). */
  private final String idPrefix = UUID.randomUUID() + "-";
  private final AtomicLong ids = new AtomicLong();
  /** Owned reply partitions: changed on the poll thread only, read anywhere through the snapshot. */
  private final Set<Integer> owned = new java.util.TreeSet<>();
  private volatile int[] ownedSnapshot = new int[0];
  private final Promise<Void> positioned = Promise.promise();
  /** Poll thread only: completions gathered while handling one poll's replies. */
  private final Map<Context, List<Runnable>> completions = new java.util.HashMap<>();
  private volatile boolean acceptingRequests = true;

  private final MeterRegistry registry;
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();
  private final Counter unmatched;
  private final Counter busy;

  public KafkaRequester(Vertx vertx, KafkaClients clients, Producer<String, byte[]> producer, MeterRegistry registry) {
    KitConfig config = clients.config();
    this.vertx = vertx;
    this.ownContext = vertx.getOrCreateContext();
    this.producer = producer;
    this.registry = registry;
    this.defaultTimeout = config.millis(Settings.REQUEST_TIMEOUT_MS);
    this.maxInFlight = config.getInt(Settings.MAX_IN_FLIGHT);
    this.unmatched = Counter.builder("convnet.replies.unmatched")
        .description("replies whose request had already ended (timed out, or routed here after a rebalance)")
        .register(registry);
    this.busy = Counter.builder("convnet.requests.rejected.busy")
        .description("requests refused at once because too many were in flight").register(registry);
    Gauge.builder("convnet.requests.in.flight", inFlight, AtomicInteger::get)
        .description("requests over Kafka waiting for their reply").register(registry);
    Gauge.builder("convnet.replies.partitions.owned", this, r -> r.ownedSnapshot.length)
        .description("partitions of the replies topic this instance owns").register(registry);
    this.replies = new ReplyLoop(clients.consumer("replies", config.replyGroup(), Map.of("fetch.max.wait.ms", 100)),
        config.service());
    this.replies.start().onFailure(positioned::tryFail);
  }

  /** Completes once this instance owns at least one reply partition, positioned at its end. */
  public Future<Void> whenReady() {
    return positioned.future();
  }

  public boolean ready() {
    return ownedSnapshot.length > 0 && acceptingRequests;
  }

  public int[] ownedPartitions() {
    return ownedSnapshot.clone();
  }

  public int inFlight() {
    return inFlight.get();
  }

  public <Q extends MessageLite, R extends MessageLite> Future<R> request(Exchange<Q, R> exchange, Q request) {
    return request(exchange, request, defaultTimeout);
  }

  /** One reply from the one instance that takes the request. */
  public <Q extends MessageLite, R extends MessageLite> Future<R> request(Exchange<Q, R> exchange, Q request, Duration timeout) {
    return request(exchange, null, request, timeout);
  }

  /**
   * As {@link #request(Exchange, MessageLite, Duration)}, with {@code key} as the request record's key
   * (instead of the correlation id), so that requests with the same key land on the same partition and
   * so reach the same serving instance while the group's assignment holds (e.g. an asynchronous job's
   * start and its later status queries). A null key means the correlation id.
   */
  public <Q extends MessageLite, R extends MessageLite> Future<R> request(Exchange<Q, R> exchange, String key, Q request,
      Duration timeout) {
    Promise<R> promise = Promise.promise();
    send(exchange, key, request, timeout, new Pending<>(exchange, promise, null, callerContext()));
    return promise.future();
  }

  /** Every reply that arrives within {@code window} (broadcast exchanges: one per instance). */
  public <Q extends MessageLite, R extends MessageLite> Future<List<R>> gather(Exchange<Q, R> exchange, Q request, Duration window) {
    Promise<List<R>> promise = Promise.promise();
    send(exchange, null, request, window, new Pending<>(exchange, null, promise, callerContext()));
    return promise.future();
  }

  private Context callerContext() {
    Context current = Vertx.currentContext();
    return current != null ? current : ownContext;
  }

  private <Q extends MessageLite, R extends MessageLite> void send(Exchange<Q, R> exchange, String key, Q request, Duration timeout,
      Pending<R> p) {
    int[] partitions = ownedSnapshot;
    if (!acceptingRequests) {
      refuse(p, new ServiceException(ErrorCode.UNAVAILABLE, "shutting down"));
      return;
    }
    if (partitions.length == 0) {
      refuse(p, new ServiceException(ErrorCode.UNAVAILABLE, "not ready: no reply partition assigned yet"));
      return;
    }
    if (inFlight.incrementAndGet() > maxInFlight) {
      inFlight.decrementAndGet();
      busy.increment();
      refuse(p, new ServiceException(ErrorCode.BUSY, maxInFlight + " requests are already in flight; retry later"));
      return;
    }
    String id = idPrefix + ids.incrementAndGet();
    int replyPartition = partitions[Math.floorMod(roundRobin.getAndIncrement(), partitions.length)];
    long now = System.currentTimeMillis();
    RecordHeaders headers = new RecordHeaders();
    headers.add(Headers.CORRELATION_ID, utf8(id));
    headers.add(Headers.REPLY_TOPIC, utf8(Topics.REPLIES.name()));
    headers.add(Headers.REPLY_PARTITION, utf8(Integer.toString(replyPartition)));
    headers.add(Headers.DEADLINE_MS, utf8(Long.toString(now + timeout.toMillis())));
    headers.add(Headers.EXCHANGE, utf8(exchange.name()));

    pending.put(id, p);
    p.timerId = vertx.setTimer(Math.max(1, timeout.toMillis()), t -> expire(id, timeout));
    try {
      producer.send(Publish.record(exchange.requests(), null, key == null ? id : key, request, headers),
          (metadata, error) -> {
            if (error != null) {
              sendFailed(id, exchange, error);
            }
          });
    } catch (RuntimeException e) {  // e.g. no metadata within max.block.ms, or the producer closed
      sendFailed(id, exchange, e);
    }
  }

  private void sendFailed(String id, Exchange<?, ?> exchange, Exception error) {
    Pending<?> p = pending.remove(id);
    if (p != null) {
      end(p, new ServiceException(ErrorCode.UNAVAILABLE, "could not send to " + exchange.requests() + ": " + error.getMessage()));
    }
  }

  /** Fails at once, without touching Kafka. */
  private void refuse(Pending<?> p, ServiceException failure) {
    record(p, failure);
    p.fail(failure);
  }

  private void expire(String id, Duration timeout) {
    Pending<?> p = pending.remove(id);
    if (p == null) {
      return;
    }
    if (p.gathered != null) {
      end(p, null);
    } else {
      end(p, new ServiceException(ErrorCode.DEADLINE_EXCEEDED,
          "no reply to " + p.exchange.name() + " within " + timeout.toMillis() + " ms"));
    }
  }

  /** Ends a request on its caller's context, exactly once (whoever removed it from {@code pending}). */
  private void end(Pending<?> p, Throwable failure) {
    inFlight.decrementAndGet();
    Runnable completion = () -> {
      vertx.cancelTimer(p.timerId);  // here, not from the poll thread: one hop onto the event loop, not two
      record(p, failure);
      if (failure != null) {
        p.fail(failure);
      } else {
        p.succeed();
      }
    };
    if (replies.onLoopThread()) {
      completions.computeIfAbsent(p.context, c -> new ArrayList<>()).add(completion);
    } else {
      p.context.runOnContext(v -> completion.run());
    }
  }

  /** Replies of one poll complete with one hop per caller context, not one per reply. */
  private void flushCompletions() {
    completions.forEach((context, batch) -> context.runOnContext(v -> batch.forEach(Runnable::run)));
    completions.clear();
  }

  private void record(Pending<?> p, Throwable failure) {
    String outcome = failure == null ? "OK" : ServiceException.of(failure).code().name();
    timers.computeIfAbsent(p.exchange.name() + '/' + outcome, k -> Timer.builder("convnet.requests")
            .description("requests over Kafka, by exchange and outcome")
            .tags("exchange", p.exchange.name(), "outcome", outcome)
            .publishPercentileHistogram()
            .register(registry))
        .record(System.nanoTime() - p.startNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  private void onReply(ConsumerRecord<String, byte[]> record) {
    String id = header(record, Headers.CORRELATION_ID);
    Pending<?> p = id == null ? null : pending.get(id);
    if (p == null) {
      unmatched.increment();
      return;
    }
    if (p.gathered == null && pending.remove(id) == null) {
      unmatched.increment();  // timed out a moment ago
      return;
    }
    String errorCode = header(record, Headers.ERROR_CODE);
    if (errorCode != null) {
      ServiceException error = new ServiceException(errorCode(errorCode), String.valueOf(header(record, Headers.ERROR_MESSAGE)));
      if (p.gathered == null) {
        end(p, error);
      }
      return;  // a gather keeps the replies that succeeded
    }
    try {
      p.accept(record.value());
      if (p.gathered == null) {
        end(p, null);
      }
    } catch (InvalidProtocolBufferException e) {
      LOG.warn("malformed {} reply at {}-{}@{}: {}", p.exchange.name(), record.topic(), record.partition(), record.offset(), e.getMessage());
      if (p.gathered == null) {
        end(p, new ServiceException(ErrorCode.INTERNAL, "malformed " + p.exchange.name() + " reply: " + e.getMessage()));
      }
    }
  }

  private static ErrorCode errorCode(String name) {
    try {
      return ErrorCode.valueOf(name);
    } catch (IllegalArgumentException e) {
      return ErrorCode.INTERNAL;
    }
  }

  /**
   * Graceful stop: refuse new requests, let those in flight end (reply or timeout) up to
   * {@code grace}, then leave the reply group.
   */
  public Future<Void> close(Duration grace) {
    acceptingRequests = false;
    long until = System.nanoTime() + grace.toNanos();
    Promise<Void> drained = Promise.promise();
    waitUntilDrained(until, drained);
    return drained.future().compose(v -> replies.close());
  }

  private void waitUntilDrained(long untilNanos, Promise<Void> drained) {
    if (inFlight.get() == 0 || System.nanoTime() > untilNanos) {
      drained.complete();
    } else {
      vertx.setTimer(20, t -> waitUntilDrained(untilNanos, drained));
    }
  }

  static String header(ConsumerRecord<?, ?> record, String name) {
    Header h = record.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The reply consumer: joins the reply group, tracks the partitions it owns, hands replies to their requests. */
  private final class ReplyLoop extends PollLoop {
    ReplyLoop(KafkaConsumer<String, byte[]> consumer, String service) {
      super(ownContext, "replies-" + service, consumer);
    }

    @Override
    protected void open() {
      // Topic metadata now, so that the first send() does not wait for it on an event loop.
      Exchanges.ALL.forEach(e -> producer.partitionsFor(e.requests().name()));
      consumer.subscribe(List.of(Topics.REPLIES.name()), new OwnedPartitions());
    }

    @Override
    protected void turn() {
      for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
        onReply(record);
      }
      flushCompletions();
    }

    @Override
    protected void shutDown() {
      ownedSnapshot = new int[0];
    }

    /** Cooperative assignment hands over changes only: keep the whole owned set here (notes pitfall 5). */
    private final class OwnedPartitions implements ConsumerRebalanceListener {
      @Override
      public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
          return;
        }
        // Replies sent before we owned a partition are for someone else: start at the end,
        // and resolve the position now, before any request names the partition.
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        partitions.forEach(tp -> owned.add(tp.partition()));
        publish();
      }

      @Override
      public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        partitions.forEach(tp -> owned.remove(tp.partition()));
        publish();
      }

      @Override
      public void onPartitionsLost(Collection<TopicPartition> partitions) {
        onPartitionsRevoked(partitions);
      }

      private void publish() {
        ownedSnapshot = owned.stream().mapToInt(Integer::intValue).toArray();
        LOG.info("owns reply partitions {}", owned);
        if (!owned.isEmpty()) {
          ownContext.runOnContext(v -> positioned.tryComplete());
        }
      }
    }
  }

  /** One request waiting: a single reply ({@code promise}) or all replies of a window ({@code gathered}). */
  private static final class Pending<R extends MessageLite> {
    final Exchange<?, R> exchange;
    final Promise<R> promise;
    final Promise<List<R>> gatherPromise;
    final List<R> gathered;
    final Context context;
    volatile long timerId;
    final long startNanos = System.nanoTime();
    private volatile R single;

    Pending(Exchange<?, R> exchange, Promise<R> promise, Promise<List<R>> gatherPromise, Context context) {
      this.exchange = exchange;
      this.promise = promise;
      this.gatherPromise = gatherPromise;
      this.gathered = gatherPromise == null ? null : new ArrayList<>();
      this.context = context;
    }

    void accept(byte[] value) throws InvalidProtocolBufferException {
      R reply = exchange.replyParser().parseFrom(value);
      if (gathered == null) {
        single = reply;
        return;
      }
      synchronized (gathered) {
        gathered.add(reply);
      }
    }

    void succeed() {
      if (promise != null) {
        promise.tryComplete(single);
      } else {
        synchronized (gathered) {
          gatherPromise.tryComplete(List.copyOf(gathered));
        }
      }
    }

    void fail(Throwable t) {
      if (promise != null) {
        promise.tryFail(t);
      } else {
        gatherPromise.tryFail(t);
      }
    }
  }
}
