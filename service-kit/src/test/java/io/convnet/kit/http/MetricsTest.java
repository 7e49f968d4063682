package io.convnet.kit.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MetricsTest {
  private static long buckets(String scrape, String name) {
    return scrape.lines().filter(l -> l.startsWith(name + "_bucket{")).count();
  }

  @Test
  void bucketsArePerMetricNotSeventyForEveryTimer() {
    PrometheusMeterRegistry registry = Metrics.registry("test");
    // even when code asks for a percentile histogram, the bucket choice is made in one place
    Timer.builder("convnet.requests").publishPercentileHistogram().register(registry).record(Duration.ofMillis(20));
    Timer.builder("some.pool.time").publishPercentileHistogram().register(registry).record(Duration.ofMillis(20));
    String scrape = registry.scrape();
    assertThat(buckets(scrape, "convnet_requests_seconds")).isEqualTo(12);  // 11 bounds + Inf
    assertThat(scrape).contains("convnet_requests_seconds_bucket{service=\"test\",le=\"0.025\"} 1");
    assertThat(buckets(scrape, "some_pool_time_seconds")).isZero();
  }

  @Test
  void kafkasDeprecatedTopicCopiesAreDropped() {
    PrometheusMeterRegistry registry = Metrics.registry("test");
    Gauge.builder("kafka.consumer.fetch.manager.records.lag", () -> 1).tag("topic", "convnet.classify.requests").register(registry);
    Gauge.builder("kafka.consumer.fetch.manager.records.lag", () -> 1).tag("topic", "convnet_classify_requests").register(registry);
    assertThat(registry.scrape()).contains("topic=\"convnet.classify.requests\"").doesNotContain("convnet_classify_requests");
  }

  @Test
  void residentMemoryIsTheKernelsFigure() {
    assertThat(ProcessMemoryMetrics.residentBytes()).isGreaterThan(10 * 1024 * 1024);
    PrometheusMeterRegistry registry = Metrics.registry("test");
    new ProcessMemoryMetrics().bindTo(registry);
    assertThat(registry.scrape()).containsPattern("process_resident_memory_bytes\\{service=\"test\"} [0-9.E]+");
  }
}
