package io.convnet.worker.metrics;

import io.convnet.serving.batch.BatchMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Triton-style inference statistics per model and version: requests, inferences (images),
 * executions (TensorFlow calls; inferences / executions is the average batch size), failures
 * by reason, and where the time went (decode, queue, compute).
 */
public final class InferenceMetrics {
  private final MeterRegistry registry;
  private final Map<String, Meters> byModel = new ConcurrentHashMap<>();
  private final Map<String, Counter> failures = new ConcurrentHashMap<>();

  public InferenceMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** The meters of one model version. */
  public Meters of(String model, int version) {
    return byModel.computeIfAbsent(model + ':' + version, k -> new Meters(registry, model, Integer.toString(version)));
  }

  /**
   * A failed request: {@code reason} is an error code name. Requests for unknown models count
   * under model "(unknown)" so that clients cannot create a series per name they make up.
   */
  public void failure(String model, String version, String reason) {
    failures.computeIfAbsent(model + ':' + version + ':' + reason, k -> Counter.builder("convnet.inference.failures")
        .description("requests that failed, by reason").tags("model", model, "version", version, "reason", reason)
        .register(registry)).increment();
  }

  /** Meters of one model version. */
  public static final class Meters implements BatchMeters {
    final Counter requests;
    final Counter inferences;
    final Counter executions;
    final Timer queue;
    final Timer compute;
    final Timer decode;
    final DistributionSummary batchSize;

    Meters(MeterRegistry registry, String model, String version) {
      requests = Counter.builder("convnet.inference.requests").description("classify requests and score records")
          .tags("model", model, "version", version).register(registry);
      inferences = Counter.builder("convnet.inference.inferences").description("images inferred")
          .tags("model", model, "version", version).register(registry);
      executions = Counter.builder("convnet.inference.executions")
          .description("TensorFlow calls (inferences / executions = average batch size)")
          .tags("model", model, "version", version).register(registry);
      queue = Timer.builder("convnet.inference.queue").description("time an image waited for its batch")
          .tags("model", model, "version", version).publishPercentileHistogram().register(registry);
      compute = Timer.builder("convnet.inference.compute").description("time of one TensorFlow call")
          .tags("model", model, "version", version).publishPercentileHistogram().register(registry);
      decode = Timer.builder("convnet.inference.decode").description("decoding and preprocessing one image")
          .tags("model", model, "version", version).publishPercentileHistogram().register(registry);
      batchSize = DistributionSummary.builder("convnet.inference.batch.size").description("images per TensorFlow call")
          .tags("model", model, "version", version).register(registry);
    }

    public void request(int images) {
      requests.increment();
    }

    public void decoded(long nanos) {
      decode.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void executed(int n, long computeNanos) {
      executions.increment();
      inferences.increment(n);
      batchSize.record(n);
      compute.record(computeNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void queued(long nanos) {
      queue.record(nanos, TimeUnit.NANOSECONDS);
    }
  }
}
