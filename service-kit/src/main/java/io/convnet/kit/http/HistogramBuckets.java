package io.convnet.kit.http;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import java.util.Arrays;
import java.util.Map;

/**
 * The histogram buckets of every meter, chosen per metric in this one place: latencies that
 * dashboards and alerts take quantiles of get a dozen buckets spanning what they measure;
 * everything else (byte sizes, pool times, GC pauses) none, only count, sum and max.
 * Micrometer's percentile histogram would give each series about 70.
 */
final class HistogramBuckets implements MeterFilter {
  /** Request round trips (HTTP, request/reply over Kafka): 5 ms to 10 s. */
  private static final double[] REQUEST_SECONDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  /** The steps inside a worker (queue wait, one TensorFlow call, decoding an image): 1 ms to 1 s. */
  private static final double[] STEP_SECONDS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1};
  /** Images per TensorFlow call. */
  private static final double[] BATCH_SIZES = {1, 2, 4, 8, 16, 32, 64, 128};

  private static final Map<String, double[]> BUCKETS = Map.of(
      "vertx.http.server.response.time", REQUEST_SECONDS,
      "convnet.requests", REQUEST_SECONDS,
      "convnet.responder.requests", REQUEST_SECONDS,
      "convnet.inference.queue", STEP_SECONDS,
      "convnet.inference.compute", STEP_SECONDS,
      "convnet.inference.decode", STEP_SECONDS,
      "convnet.inference.batch.size", BATCH_SIZES);

  @Override
  public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
    if (id.getType() != Meter.Type.TIMER && id.getType() != Meter.Type.DISTRIBUTION_SUMMARY) {
      return config;
    }
    double[] buckets = BUCKETS.get(id.getName());
    DistributionStatisticConfig.Builder chosen = DistributionStatisticConfig.builder()
        .percentilesHistogram(false)
        .percentiles()
        .serviceLevelObjectives(buckets == null ? new double[0]
            : id.getType() == Meter.Type.TIMER ? nanos(buckets) : buckets);
    return chosen.build().merge(config);
  }

  /** A timer's buckets are kept in nanoseconds. */
  private static double[] nanos(double[] seconds) {
    return Arrays.stream(seconds).map(s -> s * 1e9).toArray();
  }
}
