package io.convnet.trainer;

import io.convnet.proto.TrainEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Training as Prometheus sees it, from the events this instance sends: the running job's
 * live loss and accuracy (training batches; validation at each epoch's end), its epoch,
 * images per second, whether a job runs, and how jobs ended
 * ({@code convnet_training_jobs_ended_total{outcome="failed"}} is what the alert watches). One job
 * runs per instance at a time, so the gauges need no job label; they keep the last job's
 * values once it ends (images per second drops to 0).
 */
final class TrainingMetrics {
  private final MeterRegistry registry;
  private final Map<String, Double> values = new ConcurrentHashMap<>();
  private final AtomicInteger running = new AtomicInteger();
  private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();

  TrainingMetrics(MeterRegistry registry) {
    this.registry = registry;
    gauge("convnet.training.loss", "loss", "train", "Loss of the running job: mean over the epoch's batches so far");
    gauge("convnet.training.loss", "val_loss", "validation", "Validation loss at the running job's last epoch end");
    gauge("convnet.training.accuracy", "accuracy", "train", "Accuracy of the running job: mean over the epoch's batches so far");
    gauge("convnet.training.accuracy", "val_accuracy", "validation", "Validation accuracy at the running job's last epoch end");
    Gauge.builder("convnet.training.epoch", values, v -> v.getOrDefault("epoch", 0.0))
        .description("Epoch the running job is in (1-based; the last job's last epoch once it ended)").register(registry);
    Gauge.builder("convnet.training.images.per.second", values, v -> v.getOrDefault("ips", 0.0))
        .description("Training throughput of the running job, images per second").register(registry);
    Gauge.builder("convnet.training.jobs.running", running, AtomicInteger::get)
        .description("Training jobs this instance is running (0 or 1)").register(registry);
    for (String outcome : new String[] {"published", "failed", "cancelled", "interrupted"}) {
      outcome(outcome);  // present at 0 from the start: increase() needs the series before the first failure
    }
  }

  private void gauge(String name, String key, String phase, String description) {
    Gauge.builder(name, values, v -> v.getOrDefault(key, Double.NaN)).tag("phase", phase)
        .description(description).register(registry);
  }

  private Counter outcome(String outcome) {
    return outcomes.computeIfAbsent(outcome, o -> Counter.builder("convnet.training.jobs.ended").tag("outcome", o)
        .description("Training jobs that ended on this instance, by outcome").register(registry));
  }

  /** Called for every event this instance sends. */
  void record(TrainEvent event) {
    switch (event.getKindCase()) {
      case STARTED -> {
        running.set(1);
        values.clear();
      }
      case PROGRESS -> {
        TrainEvent.BatchProgress p = event.getProgress();
        values.put("epoch", (double) p.getEpoch());
        values.put("loss", p.getLoss());
        values.put("accuracy", p.getAccuracy());
        values.put("ips", p.getImagesPerSecond());
      }
      case EPOCH -> {
        TrainEvent.EpochEnd e = event.getEpoch();
        values.put("epoch", (double) e.getEpoch());
        values.put("loss", e.getLoss());
        values.put("accuracy", e.getAccuracy());
        values.put("val_loss", e.getValLoss());
        values.put("val_accuracy", e.getValAccuracy());
      }
      case PUBLISHED, FAILED, CANCELLED, INTERRUPTED -> {
        running.set(0);
        values.put("ips", 0.0);
        outcome(event.getKindCase().name().toLowerCase(Locale.ROOT)).increment();
      }
      default -> {
        // SUBMITTED comes from the gateway
      }
    }
  }
}
