package io.convnet.kit.kafka;

import static io.convnet.kit.kafka.KafkaRequester.header;
import static io.convnet.kit.kafka.KafkaRequester.utf8;

import com.google.protobuf.Empty;
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
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One exchange served by one consumer on its own poll thread. At most
 * {@code CONVNET_RESPONDER_CONCURRENCY} requests are handled at once (beyond that the
 * partitions pause); offsets are committed only up to the oldest request whose reply is
 * not yet sent, so a request is never lost when partitions move.
 */
final class ServeLoop<Q extends MessageLite, R extends MessageLite> extends PollLoop {
  private static final Logger LOG = LoggerFactory.getLogger(ServeLoop.class);
  private static final long COMMIT_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
  /** How soon a reply the producer refused for want of metadata is sent again. */
  private static final long METADATA_RETRY_MS = 50;

  private record Finished(TopicPartition tp, long offset) {
  }

  private final Producer<String, byte[]> producer;
  private final MeterRegistry registry;
  private final Exchange<Q, R> exchange;
  private final KafkaResponder.Handler<Q, R> handler;
  private final int concurrency;
  private final byte[] instanceId;
  private final OffsetTracker offsets = new OffsetTracker();
  private final ConcurrentLinkedQueue<Finished> finished = new ConcurrentLinkedQueue<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();
  private volatile long closeDeadlineNanos;
  private boolean paused;
  private long lastCommitNanos;

  ServeLoop(Context context, KafkaClients clients, Producer<String, byte[]> producer, MeterRegistry registry,
            Exchange<Q, R> exchange, KafkaResponder.Handler<Q, R> handler) {
    super(context, "serve-" + exchange.name(), consumer(clients, exchange));
    this.producer = producer;
    this.registry = registry;
    this.exchange = exchange;
    this.handler = handler;
    this.concurrency = clients.config().getInt(Settings.RESPONDER_CONCURRENCY);
    this.instanceId = utf8(clients.config().instanceId());
    Gauge.builder("convnet.responder.in.flight", inFlight, AtomicInteger::get)
        .description("requests being handled").tag("exchange", exchange.name()).register(registry);
  }

  private static KafkaConsumer<String, byte[]> consumer(KafkaClients clients, Exchange<?, ?> exchange) {
    KitConfig config = clients.config();
    String group = exchange.broadcast() ? null : config.service();
    return clients.consumer(exchange.name(), group, Map.of(
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.getInt(Settings.RESPONDER_CONCURRENCY),
        // Requests sent before a group's very first member joined are still served (or skipped as expired).
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, exchange.broadcast() ? "latest" : "earliest"));
  }

  String exchangeName() {
    return exchange.name();
  }

  /** Handles nothing new, lets what is in flight finish up to {@code grace}, commits, leaves the group. */
  Future<Void> close(Duration grace) {
    closeDeadlineNanos = System.nanoTime() + grace.toNanos();
    return super.close();
  }

  @Override
  public Future<Void> close() {
    return close(Duration.ZERO);
  }

  @Override
  protected void open() {
    if (exchange.broadcast()) {
      StartAt.end().assign(consumer, exchange.requests());  // every instance reads every partition itself: no group
    } else {
      consumer.subscribe(List.of(exchange.requests().name()), new CommitOnRevoke());
    }
  }

  @Override
  protected boolean finished() {
    drainFinished();
    if (!closing()) {
      return false;
    }
    if (inFlight.get() > 0 && System.nanoTime() > closeDeadlineNanos) {
      LOG.warn("{}: {} requests still in flight at the end of the grace period", exchange.name(), inFlight.get());
      return true;
    }
    return inFlight.get() == 0;
  }

  @Override
  protected void turn() {
    pause(closing() || inFlight.get() >= concurrency);
    try {
      var records = consumer.poll(Duration.ofMillis(closing() || paused ? 5 : 100));
      List<Runnable> handle = new ArrayList<>(records.count());
      for (ConsumerRecord<String, byte[]> record : records) {
        if (closing()) {
          break;  // not started, not committed: the partition's next owner handles it
        }
        Runnable task = accept(record);
        if (task != null) {
          handle.add(task);
        }
      }
      if (!handle.isEmpty()) {
        onContext(() -> handle.forEach(Runnable::run));  // one hop onto the event loop per poll, not per record
      }
    } finally {
      commit();
    }
  }

  private void pause(boolean pause) {
    if (pause != paused) {
      if (pause) {
        consumer.pause(consumer.assignment());
      } else {
        consumer.resume(consumer.paused());
      }
      paused = pause;
    }
  }

  /** Checks and parses a request; the task that handles it, or null when it was skipped. */
  private Runnable accept(ConsumerRecord<String, byte[]> record) {
    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
    offsets.started(tp, record.offset());
    String correlationId = header(record, Headers.CORRELATION_ID);
    Integer replyPartition = parseInt(header(record, Headers.REPLY_PARTITION));
    if (correlationId == null || replyPartition == null) {
      skip(record, "no-reply-address", "lacks the reply headers");
      return null;
    }
    if (!Topics.REPLIES.name().equals(header(record, Headers.REPLY_TOPIC))) {
      skip(record, "no-reply-address", "names a reply topic other than " + Topics.REPLIES.name());
      return null;
    }
    Long deadline = parseLong(header(record, Headers.DEADLINE_MS));
    if (deadline != null && deadline < System.currentTimeMillis()) {
      skip(record, "expired", "expired " + (System.currentTimeMillis() - deadline) + " ms ago");
      return null;
    }
    Q request;
    try {
      request = exchange.requests().parse(record.value() == null ? new byte[0] : record.value());
    } catch (InvalidProtocolBufferException e) {
      skip(record, "malformed", "is not a valid " + exchange.name() + " request" + " (" + e.getMessage() + ")");
      // The asker gets a clear error instead of waiting for its timeout.
      sendReply(replyPartition, correlationId, null,
          new ServiceException(ErrorCode.INVALID_ARGUMENT, "malformed " + exchange.name() + " request" + ": " + e.getMessage()),
          deadline, null);
      return null;
    }
    inFlight.incrementAndGet();
    long startNanos = System.nanoTime();
    Deadline due = deadline == null ? Deadline.NONE : new Deadline(deadline);
    return () -> {
      Future<R> reply;
      try {
        reply = handler.handle(request, due);
      } catch (RuntimeException e) {
        reply = Future.failedFuture(e);
      }
      reply.onComplete(ar -> {
        record(ar, startNanos);
        ServiceException error = ar.failed() ? ServiceException.of(ar.cause()) : null;
        if (error != null && error.code() == ErrorCode.INTERNAL) {
          LOG.error("{} handler failed", exchange.name(), ar.cause());
        }
        sendReply(replyPartition, correlationId, ar.succeeded() ? ar.result() : null, error, deadline,
            new Finished(tp, record.offset()));
      });
    };
  }

  private void skip(ConsumerRecord<String, byte[]> record, String reason, String why) {
    LOG.warn("{} record on {} partition {} offset {} {}: skipped", exchange.name(), record.topic(),
        record.partition(), record.offset(), why);
    Counter.builder("convnet.responder.records.skipped").description("request records not handled")
        .tags("exchange", exchange.name(), "reason", reason).register(registry).increment();
    offsets.finished(new TopicPartition(record.topic(), record.partition()), record.offset());
  }

  private void sendReply(int replyPartition, String correlationId, R reply, ServiceException error, Long deadline,
                         Finished done) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(Headers.CORRELATION_ID, utf8(correlationId));
    headers.add(Headers.EXCHANGE, utf8(exchange.name()));
    headers.add(Headers.RESPONDER, instanceId);
    if (error != null) {
      headers.add(Headers.ERROR_CODE, utf8(error.code().name()));
      headers.add(Headers.ERROR_MESSAGE, utf8(String.valueOf(error.getMessage())));
    }
    MessageLite value = reply == null ? Empty.getDefaultInstance() : reply;  // an error reply has no value
    send(Publish.record(Topics.REPLIES, replyPartition, correlationId, value, headers), deadline, done);
  }

  /**
   * Sends a reply without waiting. Right after the broker is back the producer may not know the
   * replies topic yet (it never waits for metadata): the reply is sent again shortly, until the
   * request's deadline, rather than lost (its asker would wait for the deadline).
   */
  private void send(ProducerRecord<String, byte[]> reply, Long deadline, Finished done) {
    try {
      producer.send(reply, (metadata, e) -> {
        if (e instanceof TimeoutException && deadline != null && System.currentTimeMillis() < deadline) {
          context.owner().setTimer(METADATA_RETRY_MS, t -> send(reply, deadline, done));
        } else {
          replySent(reply.partition(), e, done);
        }
      });
    } catch (RuntimeException e) {  // the producer closed
      replySent(reply.partition(), e, done);
    }
  }

  private void replySent(int replyPartition, Exception error, Finished done) {
    if (error != null) {
      LOG.warn("{} reply to {}-{} not sent: {}", exchange.name(), Topics.REPLIES.name(), replyPartition, error.toString());
    }
    if (done != null) {
      finished.add(done);
      inFlight.decrementAndGet();
    }
  }

  private void record(AsyncResult<R> ar, long startNanos) {
    String outcome = ar.succeeded() ? "OK" : ServiceException.of(ar.cause()).code().name();
    timers.computeIfAbsent(outcome, k -> Timer.builder("convnet.responder.requests")
            .description("requests handled, by exchange and outcome")
            .tags("exchange", exchange.name(), "outcome", outcome)
            .publishPercentileHistogram()
            .register(registry))
        .record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
  }

  private void drainFinished() {
    Finished f;
    while ((f = finished.poll()) != null) {
      offsets.finished(f.tp(), f.offset());
    }
  }

  private void commit() {
    // An offset commit per poll would double the broker's requests; revocation and close commit at once anyway.
    if (exchange.broadcast() || System.nanoTime() - lastCommitNanos < COMMIT_INTERVAL_NANOS) {
      return;
    }
    lastCommitNanos = System.nanoTime();
    Map<TopicPartition, OffsetAndMetadata> toCommit = offsets.committable();
    if (!toCommit.isEmpty()) {
      consumer.commitAsync(toCommit, (committed, e) -> {
        if (e == null) {
          offsets.committed(committed);
        } else {
          LOG.warn("{}: committing offsets failed: {}", exchange.name(), e.toString());
        }
      });
    }
  }

  @Override
  protected void shutDown() {
    drainFinished();
    if (!exchange.broadcast()) {
      commitSync(offsets.committable());
    }
  }

  /** close() may have woken the consumer up: that wake-up must not cost the commit. */
  private void commitSync(Map<TopicPartition, OffsetAndMetadata> toCommit) {
    if (toCommit.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(toCommit, Duration.ofSeconds(5));
    } catch (WakeupException e) {
      consumer.commitSync(toCommit, Duration.ofSeconds(5));
    }
    offsets.committed(toCommit);
  }

  private static Integer parseInt(String s) {
    try {
      return s == null ? null : Integer.valueOf(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Long parseLong(String s) {
    try {
      return s == null ? null : Long.valueOf(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Commits what is finished on partitions that move away; the rest is the next owner's to do. */
  private final class CommitOnRevoke implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      drainFinished();
      Map<TopicPartition, OffsetAndMetadata> toCommit = offsets.committable().entrySet().stream()
          .filter(e -> partitions.contains(e.getKey()))
          .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
      try {
        commitSync(toCommit);
      } catch (RuntimeException e) {
        LOG.warn("{}: commit on revocation failed: {}", exchange.name(), e.toString());
      }
      offsets.forget(partitions);
      LOG.info("{}: partitions revoked {}", exchange.name(), partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (!partitions.isEmpty()) {
        LOG.info("{}: partitions assigned {}", exchange.name(), partitions);
      }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      offsets.forget(partitions);
    }
  }
}
