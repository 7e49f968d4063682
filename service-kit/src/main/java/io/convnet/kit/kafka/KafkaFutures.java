package io.convnet.kit.kafka;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.apache.kafka.common.KafkaFuture;

/** Kafka's futures complete on Kafka's threads: bring their outcome back onto a Vert.x context. */
public final class KafkaFutures {
  private KafkaFutures() {
  }

  public static <T> Future<T> on(Context context, KafkaFuture<T> kafkaFuture) {
    Promise<T> promise = Promise.promise();
    kafkaFuture.whenComplete((value, error) -> context.runOnContext(v -> {
      if (error != null) {
        promise.fail(error);
      } else {
        promise.complete(value);
      }
    }));
    return promise.future();
  }
}
