package io.convnet.kit.http;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.util.EnumSet;

/**
 * One Prometheus registry per service: Vert.x's own metrics (HTTP server requests by
 * route, method and status with latency histograms), JVM binders, the process's resident
 * memory, and whatever the kit and the service register (Kafka clients, request/reply).
 * Histogram buckets are chosen per metric ({@link HistogramBuckets}); Kafka's deprecated
 * duplicate per-topic series are dropped ({@link KafkaLagSeries}).
 */
public final class Metrics {
  private Metrics() {
  }

  public static PrometheusMeterRegistry registry(String service) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags("service", service)
        .meterFilter(new KafkaLagSeries())
        .meterFilter(new HistogramBuckets());
    return registry;
  }

  /**
   * A Vert.x instance reporting into {@code registry}, plus the JVM binders (bound after
   * Vert.x has configured its meter filters on the registry).
   */
  public static Vertx vertx(PrometheusMeterRegistry registry) {
    MicrometerMetricsOptions options = new MicrometerMetricsOptions()
        .setEnabled(true)
        // Not Vert.x's publishQuantiles: it gives every timer and summary ~70 buckets; ours are per metric.
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
        .setLabels(EnumSet.of(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE));
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(options))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new ProcessMemoryMetrics().bindTo(registry);
    return vertx;
  }
}
