package io.convnet.kit.kafka;

import static io.convnet.kit.kafka.KafkaRequester.header;
import static io.convnet.kit.kafka.KafkaRequester.utf8;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import io.convnet.kit.ServiceException;
import io.convnet.kit.config.KitConfig;
import io.convnet.kit.config.Settings;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.Exchange;
import io.convnet.proto.Headers;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
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
final class ServeLoop<Q extends MessageLite, R extends MessageLite> {
  private static final Logger LOG = LoggerFactory.getLogger(ServeLoop.class);
  private static final long COMMIT_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

  private record Finished(TopicPartition tp, long offset) {
  }

  private final Context context;
  private final Producer<String, byte[]> producer;
  private final MeterRegistry registry;
  private final Exchange<Q, R> exchange;
  private final KafkaResponder.Handler<Q, R> handler;
  private final KafkaConsumer<String, byte[]> consumer;
  private final String topic;
  private final int concurrency;
  private final OffsetTracker offsets = new OffsetTracker();
  private final ConcurrentLinkedQueue<Finished> finished = new ConcurrentLinkedQueue<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();
  private final Promise<Void> started = Promise.promise();
  private final Promise<Void> stopped = Promise.promise();
  private final Thread thread;
  private volatile boolean closing;
  private volatile Throwable failure;
  private volatile long closeDeadlineNanos;
  private boolean paused;
  private long lastCommitNanos;

  ServeLoop(Context context, KafkaClients clients, Producer<String, byte[]> producer, MeterRegistry registry,
            Exchange<Q, R> exchange, KafkaResponder.Handler<Q, R> handler) {
    KitConfig config = clients.config();
    this.context = context;
    this.producer = producer;
    this.registry = registry;
    this.exchange = exchange;
    this.handler = handler;
    this.topic = exchange.requests().name();
    this.concurrency = config.getInt(Settings.RESPONDER_CONCURRENCY);
    String group = exchange.broadcast() ? null : config.service();
    this.consumer = clients.consumer(exchange.name(), group, Map.of(
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, concurrency,
        // Requests sent before a group's very first member joined are still served (or skipped as expired).
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, exchange.broadcast() ? "latest" : "earliest"));
    Gauge.builder("convnet.responder.in.flight", inFlight, AtomicInteger::get)
        .description("requests being handled").tag("exchange", exchange.name()).register(registry);
    this.thread = new Thread(this::run, "convnet-serve-" + exchange.name());
    this.thread.setDaemon(true);
  }

  Future<Void> start() {
    thread.start();
    return started.future();
  }

  /** Null while serving (or stopped on purpose); why the loop died otherwise. */
  Throwable failure() {
    return failure;
  }

  String exchangeName() {
    return exchange.name();
  }

  Future<Void> close(Duration grace) {
    closeDeadlineNanos = System.nanoTime() + grace.toNanos();
    closing = true;
    consumer.wakeup();
    return stopped.future();
  }

  private void run() {
    try {
      if (exchange.broadcast()) {
        // Every instance reads every partition itself, from the end: no group.
        List<TopicPartition> all = consumer.partitionsFor(topic).stream()
            .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(all);
        consumer.seekToEnd(all);
        all.forEach(consumer::position);
      } else {
        consumer.subscribe(List.of(topic), new CommitOnRevoke());
      }
      producer.partitionsFor(io.convnet.proto.Topics.REPLIES.name());  // metadata now, not on an event loop later
      context.runOnContext(v -> started.tryComplete());
      loop();
    } catch (RuntimeException e) {
      LOG.error("serving {} failed", exchange.name(), e);
      failure = e;
      context.runOnContext(v -> started.tryFail(e));
    } finally {
      shutDown();
    }
  }

  private void loop() {
    while (true) {
      drainFinished();
      if (closing) {
        if (inFlight.get() == 0 || System.nanoTime() > closeDeadlineNanos) {
          if (inFlight.get() > 0) {
            LOG.warn("{}: {} requests still in flight at the end of the grace period", exchange.name(), inFlight.get());
          }
          return;
        }
        pause(true);
      } else {
        pause(inFlight.get() >= concurrency);
      }
      try {
        var records = consumer.poll(Duration.ofMillis(closing || paused ? 5 : 100));
        List<Runnable> handle = new ArrayList<>(records.count());
        for (ConsumerRecord<String, byte[]> record : records) {
          if (closing) {
            break;  // not started, not committed: the partition's next owner handles it
          }
          Runnable task = accept(record);
          if (task != null) {
            handle.add(task);
          }
        }
        if (!handle.isEmpty()) {
          // One hop onto the event loop per poll, not per record.
          context.runOnContext(v -> handle.forEach(Runnable::run));
        }
      } catch (WakeupException e) {
        // close() asked us to look at the closing flag
      }
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
    String replyTopic = header(record, Headers.REPLY_TOPIC);
    Integer replyPartition = parseInt(header(record, Headers.REPLY_PARTITION));
    if (correlationId == null || replyTopic == null || replyPartition == null) {
      skip(record, "no-reply-address", "lacks the reply headers");
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
      sendReply(replyTopic, replyPartition, correlationId, null,
          new ServiceException(ErrorCode.INVALID_ARGUMENT, "malformed " + exchange.name() + " request" + ": " + e.getMessage()), null);
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
        sendReply(replyTopic, replyPartition, correlationId, ar.succeeded() ? ar.result() : null, error,
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

  private void sendReply(String replyTopic, int replyPartition, String correlationId, R reply, ServiceException error,
                         Finished done) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(Headers.CORRELATION_ID, utf8(correlationId));
    headers.add(Headers.EXCHANGE, utf8(exchange.name()));
    if (error != null) {
      headers.add(Headers.ERROR_CODE, utf8(error.code().name()));
      headers.add(Headers.ERROR_MESSAGE, utf8(String.valueOf(error.getMessage())));
    }
    byte[] value = reply == null ? new byte[0] : reply.toByteArray();
    try {
      producer.send(new ProducerRecord<>(replyTopic, replyPartition, correlationId, value, headers),
          (metadata, e) -> replySent(replyTopic, replyPartition, e, done));
    } catch (RuntimeException e) {  // e.g. no metadata within max.block.ms, or the producer closed
      replySent(replyTopic, replyPartition, e, done);
    }
  }

  private void replySent(String replyTopic, int replyPartition, Exception error, Finished done) {
    if (error != null) {
      LOG.warn("{} reply to {}-{} not sent: {}", exchange.name(), replyTopic, replyPartition, error.toString());
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

  private void shutDown() {
    try {
      drainFinished();
      if (!exchange.broadcast()) {
        commitSync(offsets.committable());
      }
    } catch (RuntimeException e) {
      LOG.warn("{}: final commit failed: {}", exchange.name(), e.toString());
    }
    try {
      consumer.close(Duration.ofSeconds(5));  // leaves the group: partitions move at once
    } catch (RuntimeException e) {
      LOG.warn("{}: closing the consumer: {}", exchange.name(), e.toString());
    }
    context.runOnContext(v -> stopped.tryComplete());
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
