package io.convnet.worker.model;

import io.convnet.nn.Tensors;
import io.convnet.proto.Image;
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

  /** {@code answered} scored {@code images} as {@code probabilities} (one per image): compare with stable, maybe. */
  public void afterAnswer(Lease<ServedModel> answered, List<Image> images, List<float[]> probabilities) {
    if (images.isEmpty() || !models.shadowed(answered)) {
      return;
    }
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
      AtomicInteger pending = new AtomicInteger(images.size());
      Runnable done = () -> {
        if (pending.decrementAndGet() == 0) {
          stable.close();
        }
      };
      ServedModel model = stable.model();
      model.batcher().expect(images.size());
      for (int i = 0; i < images.size(); i++) {
        int index = i;
        decodePool.execute(() -> {
          float[] pixels;
          try {
            pixels = models.input(model, images.get(index), WorkerModels.describe(images.get(index), index));
          } catch (RuntimeException e) {  // the canary decoded it; stable's input may differ: not comparable
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
