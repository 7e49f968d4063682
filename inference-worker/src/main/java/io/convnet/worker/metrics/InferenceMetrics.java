package io.convnet.worker.metrics;

import io.convnet.proto.VersionTraffic;
import io.convnet.serving.batch.BatchMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Triton-style inference statistics per model and version: requests, inferences (images),
 * executions (TensorFlow calls; inferences / executions is the average batch size), failures
 * by reason, and where the time went (decode, queue, compute); and what a canary needs to be judged:
 * request latency, requests routed by the canary share, agreement with stable (shadow scoring).
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

  /** What each version of {@code model} served here, for the model-traffic exchange. */
  public List<VersionTraffic> traffic(String model) {
    return byModel.values().stream().filter(m -> m.model.equals(model)).sorted(Comparator.comparingInt(m -> m.version))
        .map(Meters::traffic).toList();
  }

  /** The models this worker has meters for. */
  public List<String> models() {
    return byModel.values().stream().map(m -> m.model).distinct().sorted().toList();
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
    final String model;
    final int version;
    final Counter requests;
    final Counter inferences;
    final Counter executions;
    final Timer queue;
    final Timer compute;
    final Timer decode;
    final DistributionSummary batchSize;
    final Timer latency;
    final Counter errors;
    final Counter routed;
    final Counter agreed;
    final Counter disagreed;

    Meters(MeterRegistry registry, String model, String version) {
      this.model = model;
      this.version = Integer.parseInt(version);
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
      latency = Timer.builder("convnet.inference.request").description("a request (or score record) in the worker, "
          + "from taking its model version to its answer").tags("model", model, "version", version)
          .publishPercentileHistogram().register(registry);
      errors = Counter.builder("convnet.inference.errors").description("requests this version failed")
          .tags("model", model, "version", version).register(registry);
      routed = Counter.builder("convnet.inference.routed").description("requests naming no version or label "
          + "that the canary share sent to this version (counted while the model has a canary)").tags("model", model, "version", version).register(registry);
      agreed = comparisons(registry, model, version, "true");
      disagreed = comparisons(registry, model, version, "false");
    }

    private static Counter comparisons(MeterRegistry registry, String model, String version, String agreed) {
      return Counter.builder("convnet.inference.shadow.comparisons").description("images this (canary) version "
          + "scored that stable scored too, by whether their top classes agreed")
          .tags("model", model, "version", version, "agreed", agreed).register(registry);
    }

    /** An unlabelled request routed here (to stable or the canary) by the canary share. */
    public void routed() {
      routed.increment();
    }

    /** A request answered (or failed) after {@code nanos}. */
    public void answered(long nanos, boolean failed) {
      latency.record(nanos, TimeUnit.NANOSECONDS);
      if (failed) {
        errors.increment();
      }
    }

    /** An image this version scored that stable scored too: did their top classes agree? */
    public void compared(boolean agree) {
      (agree ? agreed : disagreed).increment();
    }

    VersionTraffic traffic() {
      long agreements = (long) agreed.count();
      return VersionTraffic.newBuilder().setVersion(version).setRequests((long) latency.count())
          .setErrors((long) errors.count()).setLatencySecondsSum(latency.totalTime(TimeUnit.SECONDS))
          .setLatencyCount(latency.count()).setComparisons(agreements + (long) disagreed.count())
          .setAgreements(agreements).setRouted((long) routed.count()).build();
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
