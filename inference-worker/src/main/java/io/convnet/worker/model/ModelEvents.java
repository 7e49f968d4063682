package io.convnet.worker.model;

import com.google.protobuf.InvalidProtocolBufferException;
import io.convnet.kit.kafka.KafkaClients;
import io.convnet.proto.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads, on its own thread and without a consumer group (every worker reads everything), the
 * compacted models topic from its beginning (each newer version is loaded and switched to) and
 * the last day of training events (which models are being trained right now).
 */
public final class ModelEvents implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ModelEvents.class);
  private static final Duration TRAINING_LOOKBACK = Duration.ofHours(24);

  private final KafkaConsumer<String, byte[]> consumer;
  private final WorkerModels registry;
  private final TrainingWatch training;
  private final Thread thread;
  private volatile boolean running = true;

  public ModelEvents(KafkaClients clients, WorkerModels registry, TrainingWatch training) {
    this.consumer = clients.consumer("model-events", null, Map.of("auto.offset.reset", "earliest"));
    this.registry = registry;
    this.training = training;
    this.thread = new Thread(this::run, "convnet-model-events");
    this.thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  private void run() {
    try {
      List<TopicPartition> models = partitions(Topics.MODELS.name());
      List<TopicPartition> trainEvents = partitions(Topics.TRAIN_EVENTS.name());
      List<TopicPartition> all = new ArrayList<>(models);
      all.addAll(trainEvents);
      consumer.assign(all);
      consumer.seekToBeginning(models);
      long since = System.currentTimeMillis() - TRAINING_LOOKBACK.toMillis();
      Map<TopicPartition, Long> query = new java.util.HashMap<>();
      trainEvents.forEach(tp -> query.put(tp, since));
      Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(query);
      for (TopicPartition tp : trainEvents) {
        OffsetAndTimestamp o = offsets.get(tp);
        if (o == null) {
          consumer.seekToEnd(List.of(tp));
        } else {
          consumer.seek(tp, o.offset());
        }
      }
      while (running) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          handle(record);
        }
      }
    } catch (WakeupException e) {
      // close()
    } catch (RuntimeException e) {
      LOG.error("reading {} and {} failed; new versions are still found by the store scan", Topics.MODELS,
          Topics.TRAIN_EVENTS, e);
    } finally {
      consumer.close(Duration.ofSeconds(2));
    }
  }

  private void handle(ConsumerRecord<String, byte[]> record) {
    if (record.value() == null) {
      return;  // a tombstone on the compacted topic
    }
    try {
      if (record.topic().equals(Topics.MODELS.name())) {
        registry.onPublished(Topics.MODELS.parse(record.value()));
      } else {
        training.apply(Topics.TRAIN_EVENTS.parse(record.value()));
      }
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      LOG.warn("skipped a malformed record at {}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
          e.toString());
    }
  }

  private List<TopicPartition> partitions(String topic) {
    return consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
