package io.convnet.kit.kafka;

import com.google.protobuf.MessageLite;
import io.convnet.kit.ServiceException;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.Topic;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Collection;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;

/**
 * The one way to write a record: a key and a message of the type its {@link Topic} carries
 * (topic names and types live once, in proto), where needed a partition and headers.
 */
public final class Publish {
  private Publish() {
  }

  public static <T extends MessageLite> ProducerRecord<String, byte[]> record(Topic<T> topic, String key, T message) {
    return record(topic, null, key, message, null);
  }

  /** {@code partition} null: by key. */
  public static <T extends MessageLite> ProducerRecord<String, byte[]> record(Topic<T> topic, Integer partition,
      String key, T message, Iterable<Header> headers) {
    return new ProducerRecord<>(topic.name(), partition, key, message.toByteArray(), headers);
  }

  /** {@code record} bound for {@code partition} (itself when it is already): a re-send elsewhere. */
  public static ProducerRecord<String, byte[]> toPartition(ProducerRecord<String, byte[]> record, int partition) {
    return record.partition() != null && record.partition() == partition ? record
        : new ProducerRecord<>(record.topic(), partition, record.key(), record.value(), record.headers());
  }

  /**
   * Sends from a Vert.x context; the outcome comes back on it. A record Kafka does not take
   * (unreachable, the producer closed) fails with {@code UNAVAILABLE}. With the kit's producer
   * ({@code max.block.ms} 0) this never waits, so it may run on an event loop.
   */
  public static <T extends MessageLite> Future<RecordMetadata> send(Producer<String, byte[]> producer, Topic<T> topic,
      String key, T message) {
    Context context = Vertx.currentContext();
    Promise<RecordMetadata> promise = Promise.promise();
    try {
      producer.send(record(topic, key, message), (metadata, e) -> {
        Runnable complete = () -> {
          if (e != null) {
            promise.fail(unavailable(topic, e));
          } else {
            promise.complete(metadata);
          }
        };
        if (context != null) {
          context.runOnContext(v -> complete.run());
        } else {
          complete.run();
        }
      });
    } catch (RuntimeException e) {
      promise.fail(unavailable(topic, e));
    }
    return promise.future();
  }

  /**
   * Waits, on a thread that may wait, until {@code producer} knows the partitions of every one of
   * {@code topics}: a producer that never blocks ({@code max.block.ms} 0) refuses records for a
   * topic it knows nothing of yet.
   */
  public static void awaitMetadata(Producer<String, byte[]> producer, Collection<Topic<?>> topics, Duration timeout)
      throws InterruptedException {
    long until = System.nanoTime() + timeout.toNanos();
    for (Topic<?> topic : topics) {
      while (true) {
        try {
          if (!producer.partitionsFor(topic.name()).isEmpty()) {
            break;
          }
        } catch (TimeoutException notYet) {
          // asking has requested the metadata: look again shortly
        }
        if (System.nanoTime() > until) {
          throw new ServiceException(ErrorCode.UNAVAILABLE, "no metadata for " + topic.name() + " within " + timeout);
        }
        Thread.sleep(20);
      }
    }
  }

  private static ServiceException unavailable(Topic<?> topic, Exception e) {
    return new ServiceException(ErrorCode.UNAVAILABLE, "could not write to " + topic.name() + ": " + e.getMessage(), e);
  }
}
