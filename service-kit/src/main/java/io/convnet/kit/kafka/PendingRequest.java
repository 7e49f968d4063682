package io.convnet.kit.kafka;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import io.convnet.proto.Exchange;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * One request of a {@link KafkaRequester} waiting: for a single reply ({@code promise}) or for
 * all replies of a window ({@code gathered}); where it was last sent, and, for an idempotent
 * exchange, the record to send again.
 */
final class PendingRequest<R extends MessageLite> {
  final String id;
  final Exchange<?, R> exchange;
  final Promise<R> promise;
  final Promise<List<R>> gatherPromise;
  final List<R> gathered;
  final Context context;
  final long startNanos = System.nanoTime();
  volatile long timerId;
  /** What a re-send sends (another partition, same key, value and headers); null when it is never re-sent. */
  volatile ProducerRecord<String, byte[]> resendable;
  /** The partition of the latest send, -1 when the partitioner chose it. */
  volatile int partition = -1;
  volatile long sentNanos = startNanos;
  volatile int sends;
  private volatile R single;

  PendingRequest(String id, Exchange<?, R> exchange, Promise<R> promise, Promise<List<R>> gatherPromise,
                 Context context) {
    this.id = id;
    this.exchange = exchange;
    this.promise = promise;
    this.gatherPromise = gatherPromise;
    this.gathered = gatherPromise == null ? null : new ArrayList<>();
    this.context = context;
  }

  boolean isGather() {
    return gathered != null;
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
