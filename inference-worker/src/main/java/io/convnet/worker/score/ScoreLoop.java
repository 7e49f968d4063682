package io.convnet.worker.score;

import io.convnet.kit.ServiceException;
import io.convnet.kit.config.Settings;
import io.convnet.kit.kafka.PollLoop;
import io.convnet.kit.kafka.Publish;
import io.convnet.kit.launch.ServiceKit;
import io.convnet.proto.DeadLetter;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.Headers;
import io.convnet.proto.ModelRef;
import io.convnet.proto.ScoreResult;
import io.convnet.proto.SourceRecord;
import io.convnet.proto.Topics;
import io.convnet.serving.batch.Scored;
import io.convnet.serving.cache.Lease;
import io.convnet.worker.config.WorkerConfig;
import io.convnet.worker.metrics.InferenceMetrics;
import io.convnet.worker.model.CanaryShadow;
import io.convnet.worker.model.ModelNotReadyException;
import io.convnet.worker.model.ServedModel;
import io.convnet.worker.model.WorkerModels;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exactly-once batch scoring: consume-transform-produce in Kafka transactions. Per poll: every
 * record is scored through the same batcher as interactive requests; then, in one transaction,
 * exactly one result (same key) or one dead letter (same key, the reason in its value and
 * headers) per record is written, and the consumed offsets are committed with
 * {@code sendOffsetsToTransaction(offsets, groupMetadata)} (EOS v2). A failed transaction is
 * aborted and the consumer rewound to the committed offsets, so nothing is lost or written twice.
 * The transaction is opened only after scoring, so a killed worker leaves it open for
 * milliseconds, not for the whole batch.
 *
 * <p>{@link #close()} stops after the current batch (its transaction committed or aborted) and leaves the group.
 *
 * <p>Records for a model that is being trained or loaded wait: their partition is rewound to
 * them and paused for a few seconds, keeping the partition's order.
 */
public final class ScoreLoop extends PollLoop {
  private static final Logger LOG = LoggerFactory.getLogger(ScoreLoop.class);
  public static final String GROUP = "inference-worker-score";
  private static final Duration DEFER = Duration.ofSeconds(5);
  private static final long SCORE_TIMEOUT_SECONDS = 120;
  private static final int VALUE_HEADROOM = 64 * 1024;

  private final ServiceKit kit;
  private final WorkerConfig config;
  private final WorkerModels registry;
  private final Executor decodePool;
  private final CanaryShadow shadow;
  private final int maxOriginalValue;
  private final Map<TopicPartition, Long> pausedUntil = new HashMap<>();
  private final Counter results;
  private final Counter deadLetters;
  private final Counter committed;
  private final Counter aborted;
  private KafkaProducer<String, byte[]> producer;
  private int resultPartitions;
  private int deadLetterPartitions;

  public ScoreLoop(Context context, ServiceKit kit, WorkerConfig config, WorkerModels registry, Executor decodePool,
                   InferenceMetrics metrics, CanaryShadow shadow) {
    super(context, "score", kit.clients().consumer("score", GROUP, Map.of(
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.scoreMaxRecords(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, config.scoreSessionTimeoutMs(),
        ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Math.min(500, config.scoreSessionTimeoutMs() / 3))));
    this.kit = kit;
    this.config = config;
    this.registry = registry;
    this.decodePool = decodePool;
    this.shadow = shadow;
    this.maxOriginalValue = kit.config().getInt(Settings.MAX_MESSAGE_BYTES) - VALUE_HEADROOM;
    MeterRegistry meters = kit.registry();
    results = Counter.builder("convnet.score.records").tag("outcome", "result")
        .description("score records answered, by outcome").register(meters);
    deadLetters = Counter.builder("convnet.score.records").tag("outcome", "dead_letter")
        .description("score records answered, by outcome").register(meters);
    committed = Counter.builder("convnet.score.transactions").tag("outcome", "committed")
        .description("scoring transactions, by outcome").register(meters);
    aborted = Counter.builder("convnet.score.transactions").tag("outcome", "aborted")
        .description("scoring transactions, by outcome").register(meters);
  }

  private KafkaProducer<String, byte[]> newProducer() {
    KafkaProducer<String, byte[]> p = kit.clients().producer("score", Map.of(
        ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.instanceId() + "-score",
        ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, config.scoreTransactionTimeoutMs(),
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.ACKS_CONFIG, "all",
        // its own thread: waiting for the transaction coordinator at start is fine here
        ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000,
        ProducerConfig.LINGER_MS_CONFIG, 5));
    p.initTransactions();
    return p;
  }

  @Override
  protected void open() {
    producer = newProducer();
    resultPartitions = producer.partitionsFor(Topics.SCORE_RESULTS.name()).size();
    deadLetterPartitions = producer.partitionsFor(Topics.SCORE_DEAD_LETTERS.name()).size();
    consumer.subscribe(List.of(Topics.SCORE_REQUESTS.name()), new Rebalance());
    LOG.info("scoring {} -> {} / {} (group {}, transactional id {}-score)", Topics.SCORE_REQUESTS,
        Topics.SCORE_RESULTS, Topics.SCORE_DEAD_LETTERS, GROUP, config.instanceId());
  }

  @Override
  protected void turn() {
    resumeDue();
    ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(200));
    if (!records.isEmpty()) {
      cycle(records);
    }
  }

  /** The consumer leaves the group next (its partitions move at once); no transaction is open between turns. */
  @Override
  protected void shutDown() {
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
    }
  }

  /** One poll's records: score, then write the outputs and the offsets in one transaction. */
  private void cycle(ConsumerRecords<String, byte[]> records) {
    List<Work> work = new ArrayList<>(records.count());
    Map<TopicPartition, Long> deferred = new HashMap<>();
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (ConsumerRecord<String, byte[]> record : records) {
      TopicPartition tp = new TopicPartition(record.topic(), record.partition());
      if (deferred.containsKey(tp)) {
        continue;  // behind a record that waits: keep the partition's order
      }
      Work w = start(record);
      if (w == null) {
        deferred.put(tp, record.offset());
        continue;
      }
      work.add(w);
      offsets.put(tp, new OffsetAndMetadata(record.offset() + 1));
    }
    List<ProducerRecord<String, byte[]>> outputs = new ArrayList<>(work.size());
    for (Work w : work) {
      outputs.add(w.output());
    }
    if (!outputs.isEmpty()) {
      try {
        producer.beginTransaction();
        for (ProducerRecord<String, byte[]> out : outputs) {
          producer.send(out);
        }
        producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
        producer.commitTransaction();
        committed.increment();
        work.forEach(w -> (w.result != null ? results : deadLetters).increment());
      } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException e) {
        LOG.warn("scoring producer fenced or broken ({}): a new one takes over, the batch is scored again", e.toString());
        aborted.increment();
        producer.close(Duration.ZERO);
        producer = newProducer();
        rewind(offsets.keySet());
        return;
      } catch (KafkaException e) {
        LOG.warn("scoring transaction failed ({}): aborted, the batch is scored again", e.toString());
        aborted.increment();
        try {
          producer.abortTransaction();
        } catch (KafkaException abortFailed) {
          producer.close(Duration.ZERO);
          producer = newProducer();
        }
        rewind(offsets.keySet());
        return;
      }
    }
    defer(deferred);
  }

  /** Starts scoring one record; null when it must wait for its model. */
  private Work start(ConsumerRecord<String, byte[]> record) {
    String what = "record " + record.topic() + "-" + record.partition() + "@" + record.offset()
        + (record.key() == null ? "" : " (key '" + record.key() + "')");
    ScoreInput input;
    Lease<ServedModel> lease;
    try {
      input = ScoreInput.parse(record, config.maxImageBytes());
      lease = acquire(input);
    } catch (ModelNotReadyException e) {
      LOG.info("{} waits: {}", what, e.getMessage());
      return null;
    } catch (RuntimeException e) {
      return new Work(record, e);
    }
    ServedModel m = lease.model();
    m.meters().request(1);
    Work w = new Work(record, input, lease);
    m.batcher().expect(1);
    long start = System.nanoTime();
    decodePool.execute(() -> {
      float[] pixels;
      try {
        long t0 = System.nanoTime();
        pixels = registry.input(m, input.image(), what);
        m.meters().decoded(System.nanoTime() - t0);
      } catch (RuntimeException e) {
        m.batcher().unexpect();
        lease.close();
        m.meters().answered(System.nanoTime() - start, true);
        w.scored.completeExceptionally(e);
        return;
      }
      m.batcher().submit(pixels, null, (scored, error) -> {
        lease.close();
        m.meters().answered(System.nanoTime() - start, error != null);
        if (error != null) {
          w.scored.completeExceptionally(new ServiceException(ErrorCode.INTERNAL, "inference failed: " + error, error));
        } else {
          w.scored.complete(scored);
          shadow.afterAnswer(lease, (stable, i) -> registry.input(stable, input.image(), what),
              List.of(scored.probabilities()));
        }
      });
    });
    return w;
  }

  private Lease<ServedModel> acquire(ScoreInput input) {
    try {
      return registry.acquire(ModelRef.newBuilder().setName(input.model()).setVersion(input.version()).build()).get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new ServiceException(ErrorCode.INTERNAL, e.toString(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ServiceException(ErrorCode.UNAVAILABLE, "interrupted");
    }
  }

  /** After an abort: back to the committed offsets, so the batch is scored again. */
  private void rewind(Collection<TopicPartition> partitions) {
    Set<TopicPartition> owned = new HashSet<>(consumer.assignment());
    owned.retainAll(partitions);
    if (owned.isEmpty()) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> committedOffsets = consumer.committed(owned);
    for (TopicPartition tp : owned) {
      OffsetAndMetadata o = committedOffsets.get(tp);
      if (o == null) {
        consumer.seekToBeginning(List.of(tp));
      } else {
        consumer.seek(tp, o.offset());
      }
    }
  }

  private void defer(Map<TopicPartition, Long> deferred) {
    long until = System.nanoTime() + DEFER.toNanos();
    deferred.forEach((tp, offset) -> {
      if (consumer.assignment().contains(tp)) {
        consumer.seek(tp, offset);
        consumer.pause(List.of(tp));
        pausedUntil.put(tp, until);
      }
    });
  }

  private void resumeDue() {
    if (pausedUntil.isEmpty()) {
      return;
    }
    long now = System.nanoTime();
    List<TopicPartition> due = pausedUntil.entrySet().stream().filter(e -> e.getValue() - now <= 0)
        .map(Map.Entry::getKey).toList();
    due.forEach(pausedUntil::remove);
    consumer.resume(due.stream().filter(consumer.assignment()::contains).toList());
  }

  /** One record's way to its result or dead letter. */
  private final class Work {
    final ConsumerRecord<String, byte[]> record;
    final ScoreInput input;
    final String model;
    final int version;
    final List<String> labels;
    final CompletableFuture<Scored> scored = new CompletableFuture<>();
    ScoreResult result;

    Work(ConsumerRecord<String, byte[]> record, ScoreInput input, Lease<ServedModel> model) {
      this.record = record;
      this.input = input;
      this.model = model.name();
      this.version = model.version();
      this.labels = model.model().labels();
    }

    Work(ConsumerRecord<String, byte[]> record, Throwable failure) {
      this.record = record;
      this.input = null;
      this.model = null;
      this.version = 0;
      this.labels = List.of();
      this.scored.completeExceptionally(failure);
    }

    SourceRecord source() {
      return SourceRecord.newBuilder().setTopic(record.topic()).setPartition(record.partition())
          .setOffset(record.offset()).build();
    }

    ProducerRecord<String, byte[]> output() {
      Scored s;
      Throwable failure;
      try {
        s = scored.get(SCORE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        failure = null;
      } catch (ExecutionException e) {
        s = null;
        failure = e.getCause();
      } catch (TimeoutException e) {
        s = null;
        failure = new ServiceException(ErrorCode.DEADLINE_EXCEEDED, "not scored within " + SCORE_TIMEOUT_SECONDS + " s");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new WakeupException();
      }
      return failure == null ? result(s) : deadLetter(failure);
    }

    private ProducerRecord<String, byte[]> result(Scored s) {
      float[] p = s.probabilities();
      int best = 0;
      for (int i = 1; i < p.length; i++) {
        if (p[i] > p[best]) {
          best = i;
        }
      }
      ScoreResult.Builder b = ScoreResult.newBuilder()
          .setModel(ModelRef.newBuilder().setName(model).setVersion(version))
          .addAllLabels(labels).setLabel(labels.get(best)).setProbability(p[best])
          .setId(input.id()).setSource(source()).setWorker(config.instanceId());
      for (float v : p) {
        b.addProbabilities(v);
      }
      result = b.build();
      RecordHeaders headers = new RecordHeaders();
      headers.add(Headers.RESULT_LABEL, utf8(result.getLabel()));
      headers.add(Headers.RESULT_PROBABILITY, utf8(Float.toString(result.getProbability())));
      headers.add(Headers.RESULT_MODEL, utf8(model + ":" + version));
      return Publish.record(Topics.SCORE_RESULTS, partition(resultPartitions), record.key(), result, headers);
    }

    private ProducerRecord<String, byte[]> deadLetter(Throwable failure) {
      ServiceException e = ServiceException.of(failure);
      Throwable cause = e.getCause() != null && e.getCause() != e ? e.getCause() : e;
      String reason = e.getMessage();
      byte[] original = record.value() == null ? new byte[0] : record.value();
      DeadLetter.Builder dl = DeadLetter.newBuilder().setCode(e.code()).setExceptionClass(cause.getClass().getName())
          .setSource(source());
      if (original.length <= maxOriginalValue) {
        dl.setOriginalValue(com.google.protobuf.ByteString.copyFrom(original));
      } else {
        reason += " (original value of " + original.length + " bytes not copied)";
      }
      dl.setReason(reason);
      if (e.code() == ErrorCode.INTERNAL) {
        LOG.error("{}-{}@{} failed", record.topic(), record.partition(), record.offset(), failure);
      }
      RecordHeaders headers = new RecordHeaders();
      headers.add(Headers.DLQ_REASON, utf8(reason));
      headers.add(Headers.DLQ_EXCEPTION_CLASS, utf8(cause.getClass().getName()));
      headers.add(Headers.DLQ_SOURCE_TOPIC, utf8(record.topic()));
      headers.add(Headers.DLQ_SOURCE_PARTITION, utf8(Integer.toString(record.partition())));
      headers.add(Headers.DLQ_SOURCE_OFFSET, utf8(Long.toString(record.offset())));
      headers.add(Headers.ERROR_CODE, utf8(e.code().name()));
      return Publish.record(Topics.SCORE_DEAD_LETTERS, partition(deadLetterPartitions), record.key(), dl.build(),
          headers);
    }

    /** The input's partition number when the output topic has it (its order kept there), else by key. */
    private Integer partition(int outputPartitions) {
      return record.partition() < outputPartitions ? Integer.valueOf(record.partition()) : null;
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Partitions that move away had nothing in flight (we only poll between transactions); forget their pauses. */
  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      partitions.forEach(pausedUntil::remove);
      if (!partitions.isEmpty()) {
        LOG.info("score partitions revoked {}", partitions);
      }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (!partitions.isEmpty()) {
        LOG.info("score partitions assigned {}", partitions);
      }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      partitions.forEach(pausedUntil::remove);
    }
  }

}
