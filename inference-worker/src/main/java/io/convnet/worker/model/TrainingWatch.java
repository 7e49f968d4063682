package io.convnet.worker.model;

import io.convnet.proto.TrainEvent;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which models are being trained right now, from the train-events topic: a request for a model
 * that has no version yet but a running job gets "being trained, retry later" instead of "not
 * found", and score records for it wait instead of going to the dead letters.
 */
public final class TrainingWatch {
  private record Job(String model, String progress) {
  }

  private final Map<String, Job> running = new ConcurrentHashMap<>();

  public void apply(TrainEvent event) {
    String id = event.getJobId();
    switch (event.getKindCase()) {
      case SUBMITTED -> running.put(id, new Job(event.getSubmitted().getJob().getModel(), "queued"));
      case STARTED -> running.computeIfPresent(id, (k, j) -> new Job(j.model(), "started"));
      case EPOCH -> running.computeIfPresent(id, (k, j) -> new Job(j.model(),
          "epoch " + event.getEpoch().getEpoch() + "/" + event.getEpoch().getEpochs() + " done"));
      case PUBLISHED, FAILED, CANCELLED -> running.remove(id);
      default -> {
        // progress within an epoch, interruptions (the job is queued again), kinds added later
      }
    }
  }

  /** "job 7f3a (epoch 2/5 done)" while a job for {@code model} runs. */
  public Optional<String> describe(String model) {
    return running.entrySet().stream().filter(e -> e.getValue().model().equals(model)).findFirst()
        .map(e -> "job " + e.getKey() + " (" + e.getValue().progress() + ")");
  }
}
