package io.convnet.kit.kafka;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import io.convnet.kit.ServiceException;
import io.convnet.kit.config.KitConfig;
import io.convnet.kit.config.Settings;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.Exchange;
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
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
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
 * flight, or {@code UNAVAILABLE} at once while no reply partition is owned or Kafka is down
 * ({@link KafkaWatch}; what is in flight when Kafka goes down ends so too). Nothing here
 * waits for Kafka: the kit's producer never blocks ({@code max.block.ms} 0).
 *
 * <p>A request of an idempotent exchange (classify, models) goes to a partition picked round
 * robin among those whose instance seems alive ({@link RequestPartitions}); when it stays
 * unanswered for {@code CONVNET_REQUEST_RESEND_MS} while no reply came from its partition for
 * as long, it is sent again to another partition under the same correlation id: the first reply wins,
 * later ones are counted ({@code convnet.replies.duplicate}) and dropped. So a killed worker
 * costs a request about that delay, not the group's session timeout.
 *
 * <p>The reply consumer runs on its own thread; results complete on the caller's Vert.x
 * context (or this requester's, for callers off any context).
 */
public final class KafkaRequester {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaRequester.class);
  /** Sends of one request at most: the first and two re-sends. */
  private static final int MAX_SENDS = 3;
  /** How long a partition that left a request unanswered is avoided (unless a reply clears it). */
  private static final long SUSPECT_NANOS = Duration.ofSeconds(5).toNanos();
  private static final long SWEEP_MS = 100;

  private final Vertx vertx;
  private final Context ownContext;
  private final Producer<String, byte[]> producer;
  private final KafkaWatch kafka;
  private final ReplyLoop replies;
  private final Duration defaultTimeout;
  private final long resendNanos;
  private final int maxInFlight;
  private final Map<String, PendingRequest<?>> pending = new ConcurrentHashMap<>();
  private final Map<String, RequestPartitions> requestPartitions = new ConcurrentHashMap<>();
  /** Ids of ended requests that were sent more than once, until their deadline: their late replies are duplicates. */
  private final Map<String, Long> resentUntilNanos = new ConcurrentHashMap<>();
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
  private volatile long sweepTimer = -1;

  private final MeterRegistry registry;
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();
  private final Counter unmatched;
  private final Counter duplicates;
  private final Counter busy;

  public KafkaRequester(Vertx vertx, KafkaClients clients, Producer<String, byte[]> producer, KafkaWatch kafka,
                        MeterRegistry registry) {
    KitConfig config = clients.config();
    this.vertx = vertx;
    this.ownContext = vertx.getOrCreateContext();
    this.producer = producer;
    this.kafka = kafka;
    this.registry = registry;
    this.defaultTimeout = config.millis(Settings.REQUEST_TIMEOUT_MS);
    this.resendNanos = config.millis(Settings.REQUEST_RESEND_MS).toNanos();
    this.maxInFlight = config.getInt(Settings.MAX_IN_FLIGHT);
    this.unmatched = Counter.builder("convnet.replies.unmatched")
        .description("replies whose request had already ended (timed out, or routed here after a rebalance)")
        .register(registry);
    this.duplicates = Counter.builder("convnet.replies.duplicate")
        .description("replies to a request sent more than once that came after the first (dropped)")
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
    kafka.onDown(this::failEverythingInFlight);
    ownContext.runOnContext(v -> sweepTimer = vertx.setPeriodic(SWEEP_MS, t -> sweep()));
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
    send(exchange, key, request, timeout, new PendingRequest<>(nextId(), exchange, promise, null, callerContext()));
    return promise.future();
  }

  /** Every reply that arrives within {@code window} (broadcast exchanges: one per instance). */
  public <Q extends MessageLite, R extends MessageLite> Future<List<R>> gather(Exchange<Q, R> exchange, Q request, Duration window) {
    Promise<List<R>> promise = Promise.promise();
    send(exchange, null, request, window, new PendingRequest<>(nextId(), exchange, null, promise, callerContext()));
    return promise.future();
  }

  private String nextId() {
    return idPrefix + ids.incrementAndGet();
  }

  private Context callerContext() {
    Context current = Vertx.currentContext();
    return current != null ? current : ownContext;
  }

  private <Q extends MessageLite, R extends MessageLite> void send(Exchange<Q, R> exchange, String key, Q request, Duration timeout,
      PendingRequest<R> p) {
    int[] partitions = ownedSnapshot;
    if (!acceptingRequests) {
      refuse(p, new ServiceException(ErrorCode.UNAVAILABLE, "shutting down"));
      return;
    }
    if (!kafka.up()) {
      refuse(p, new ServiceException(ErrorCode.UNAVAILABLE, "Kafka is unreachable; retry shortly"));
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
    String id = p.id;
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
    Integer partition = null;
    if (key == null && exchange.idempotent()) {
      RequestPartitions topic = partitionsOf(exchange);
      partition = topic == null ? null : topic.pick();
    }
    ProducerRecord<String, byte[]> record = Publish.record(exchange.requests(), partition, key == null ? id : key,
        request, headers);
    if (partition != null && resendNanos > 0) {
      p.resendable = record;
    }
    send(p, record, partition);
  }

  /** Sends (again) without waiting: a failure ends the request with UNAVAILABLE. */
  private void send(PendingRequest<?> p, ProducerRecord<String, byte[]> record, Integer partition) {
    p.partition = partition == null ? -1 : partition;
    p.sentNanos = System.nanoTime();
    p.sends++;
    try {
      producer.send(partition == null ? record : Publish.toPartition(record, partition),
          (metadata, error) -> {
            if (error != null) {
              sendFailed(p.id, error);
            } else {
              kafka.alive();
            }
          });
    } catch (RuntimeException e) {  // e.g. no metadata (max.block.ms 0: Kafka unreachable), or the producer closed
      kafka.suspect(e);
      sendFailed(p.id, e);
    }
  }

  /** The request topic's partitions (null when even their number is unknown: the send fails then). */
  private RequestPartitions partitionsOf(Exchange<?, ?> exchange) {
    RequestPartitions known = requestPartitions.get(exchange.requests().name());
    if (known != null) {
      return known;
    }
    try {
      int count = producer.partitionsFor(exchange.requests().name()).size();
      return count == 0 ? null : requestPartitions.computeIfAbsent(exchange.requests().name(),
          t -> new RequestPartitions(count, SUSPECT_NANOS));
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * Re-sends each idempotent request unanswered for the re-send delay, while its partition has
   * been silent as long, to another partition; the silent partition is avoided for a while.
   */
  private void sweep() {
    long now = System.nanoTime();
    for (PendingRequest<?> p : pending.values()) {
      ProducerRecord<String, byte[]> record = p.resendable;
      int partition = p.partition;
      if (record == null || partition < 0 || resendNanos <= 0 || now - p.sentNanos < resendNanos) {
        continue;
      }
      int to = requestPartitions.get(record.topic()).alternativeTo(partition, p.sentNanos, resendNanos);
      if (to >= 0 && p.sends < MAX_SENDS && pending.containsKey(p.id)) {
        LOG.info("{} request {} unanswered on partition {} for {} ms: sent again to partition {}", p.exchange.name(),
            p.id, partition, (now - p.sentNanos) / 1_000_000, to);
        resent(p.exchange).increment();
        send(p, record, to);
      }
    }
    resentUntilNanos.values().removeIf(until -> until - now < 0);
  }

  private Counter resent(Exchange<?, ?> exchange) {
    return Counter.builder("convnet.requests.resent")
        .description("idempotent requests sent again to another partition because their partition fell silent")
        .tag("exchange", exchange.name()).register(registry);
  }

  /**
   * A send the producer refused: BUSY when its buffer is full (many large records at once: it never waits for
   * room, see max.block.ms), else UNAVAILABLE. Either way a 503 to retry; the client's message names neither
   * the topic nor the producer's internals (they are logged).
   */
  private void sendFailed(String id, Exception error) {
    PendingRequest<?> p = pending.remove(id);
    if (p != null) {
      LOG.warn("{} request {}: could not send to {}: {}", p.exchange.name(), id, p.exchange.requests(),
          error.toString());
      end(p, error instanceof BufferExhaustedException
          ? new ServiceException(ErrorCode.BUSY, "too many large requests are on their way to the workers; retry shortly")
          : new ServiceException(ErrorCode.UNAVAILABLE, "the request could not be sent to the workers; retry shortly"));
    }
  }

  /** Kafka went down: what is in flight cannot be answered now; gathers end with what they have. */
  private void failEverythingInFlight(String reason) {
    for (String id : pending.keySet()) {
      PendingRequest<?> p = pending.remove(id);
      if (p != null) {
        end(p, p.isGather() ? null : new ServiceException(ErrorCode.UNAVAILABLE, "Kafka became unreachable; retry shortly"));
      }
    }
  }

  /** Fails at once, without touching Kafka. */
  private void refuse(PendingRequest<?> p, ServiceException failure) {
    record(p, failure);
    p.fail(failure);
  }

  private void expire(String id, Duration timeout) {
    PendingRequest<?> p = pending.remove(id);
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
  private void end(PendingRequest<?> p, Throwable failure) {
    inFlight.decrementAndGet();
    if (p.sends > 1) {
      resentUntilNanos.put(p.id, System.nanoTime() + defaultTimeout.toNanos());
    }
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

  private void record(PendingRequest<?> p, Throwable failure) {
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
    kafka.alive();
    PendingRequest<?> p = id == null ? null : pending.get(id);
    if (p != null && p.partition >= 0 && p.resendable != null && p.sends == 1) {  // sent once: from that partition
      requestPartitions.get(p.resendable.topic()).answered(p.partition, header(record, Headers.RESPONDER));
    }
    if (p == null || (p.gathered == null && pending.remove(id) == null)) {
      (id != null && resentUntilNanos.containsKey(id) ? duplicates : unmatched).increment();
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
    return drained.future().compose(v -> {
      vertx.cancelTimer(sweepTimer);
      return replies.close();
    });
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
}
