package io.convnet.worker.model;

import io.convnet.nn.Tensors;
import io.convnet.serving.cache.Lease;
import io.convnet.worker.metrics.InferenceMetrics;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shadow scoring of a canary: for the policy's shadow share of the requests a canary answered, stable
 * scores the same images too, after the answer has gone and off its path, and the canary's meters count
 * whether the two top classes agree. The client never waits for it and never sees it fail.
 */
public final class CanaryShadow {
  private static final Logger LOG = LoggerFactory.getLogger(CanaryShadow.class);

  private final WorkerModels models;
  private final Executor decodePool;

  public CanaryShadow(WorkerModels models, Executor decodePool) {
    this.models = models;
    this.decodePool = decodePool;
  }

  /** A request's items as a model takes them (its images decoded for that model, or its tensor rows). */
  @FunctionalInterface
  public interface Inputs {
    float[] of(ServedModel model, int index);
  }

  /** {@code answered} scored a request's items as {@code probabilities} (one per item): compare with stable, maybe. */
  public void afterAnswer(Lease<ServedModel> answered, Inputs inputs, List<float[]> probabilities) {
    if (probabilities.isEmpty() || !models.shadowed(answered)) {
      return;
    }
    int items = probabilities.size();
    InferenceMetrics.Meters canary = answered.model().meters();
    int canaryVersion = answered.version();
    models.stable(answered.name()).whenComplete((stable, error) -> {
      if (error != null) {
        LOG.debug("no shadow scoring of {} v{}: {}", answered.name(), canaryVersion, error.toString());
        return;
      }
      if (stable.version() == canaryVersion) {  // promoted meanwhile
        stable.close();
        return;
      }
      AtomicInteger pending = new AtomicInteger(items);
      Runnable done = () -> {
        if (pending.decrementAndGet() == 0) {
          stable.close();
        }
      };
      ServedModel model = stable.model();
      model.batcher().expect(items);
      for (int i = 0; i < items; i++) {
        int index = i;
        decodePool.execute(() -> {
          float[] pixels;
          try {
            pixels = inputs.of(model, index);
          } catch (RuntimeException e) {  // the canary took it; stable's input may differ: not comparable
            model.batcher().unexpect();
            done.run();
            return;
          }
          model.batcher().submit(pixels, null, (scored, e) -> {
            if (e == null) {
              canary.compared(Tensors.argmax(scored.probabilities()) == Tensors.argmax(probabilities.get(index)));
            }
            done.run();
          });
        });
      }
    });
  }
}
