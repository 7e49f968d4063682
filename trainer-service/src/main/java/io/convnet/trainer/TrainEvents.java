package io.convnet.trainer;

import io.convnet.kit.kafka.Publish;
import io.convnet.proto.ModelPublished;
import io.convnet.proto.Topics;
import io.convnet.proto.TrainEvent;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a job's events to {@link Topics#TRAIN_EVENTS} and published models to
 * {@link Topics#MODELS}. Progress goes out without waiting; what ends a job is sent and
 * acknowledged before the job's offset is committed. Every event sent is also shown to an
 * observer (the trainer's {@link TrainingMetrics}).
 */
final class TrainEvents {
  private static final Logger LOG = LoggerFactory.getLogger(TrainEvents.class);
  private static final long ACK_TIMEOUT_S = 30;

  private final Producer<String, byte[]> producer;
  private final String instance;
  private final Consumer<TrainEvent> observer;

  TrainEvents(Producer<String, byte[]> producer, String instance, Consumer<TrainEvent> observer) {
    this.producer = producer;
    this.instance = instance;
    this.observer = observer;
  }

  /** An event for {@code jobId} stamped with this instance and the time. */
  TrainEvent.Builder event(String jobId) {
    return TrainEvent.newBuilder().setJobId(jobId).setTimestampMs(System.currentTimeMillis()).setInstance(instance);
  }

  /** Progress: sent in order behind earlier events, failures only logged (the next one follows soon). */
  void send(TrainEvent event) {
    try {
      producer.send(record(event), (metadata, e) -> {
        if (e != null) {
          LOG.warn("job {}: event {} not sent: {}", event.getJobId(), event.getKindCase(), e.toString());
        }
      });
    } catch (RuntimeException e) {
      LOG.warn("job {}: event {} not sent: {}", event.getJobId(), event.getKindCase(), e.toString());
    }
    observer.accept(event);
  }

  /** Sends and waits for the broker's acknowledgement; throws when it does not come. */
  void sendAndWait(TrainEvent event) {
    await(producer.send(record(event)), "event " + event.getKindCase() + " of job " + event.getJobId());
    observer.accept(event);
  }

  /** The newest version of a model, on the compacted models topic (key = model name). */
  void publishModel(ModelPublished model) {
    await(producer.send(Publish.record(Topics.MODELS, model.getName(), model)),
        "model record " + model.getName() + " v" + model.getVersion());
  }

  private static ProducerRecord<String, byte[]> record(TrainEvent event) {
    return Publish.record(Topics.TRAIN_EVENTS, event.getJobId(), event);
  }

  private static void await(java.util.concurrent.Future<?> sent, String what) {
    try {
      sent.get(ACK_TIMEOUT_S, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while sending " + what, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not send " + what + ": " + e, e);
    }
  }
}
