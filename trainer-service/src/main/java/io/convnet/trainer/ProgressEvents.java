package io.convnet.trainer;

import io.convnet.proto.TrainEvent;
import io.convnet.train.EpochMetrics;
import io.convnet.train.TrainingListener;
import java.util.function.Consumer;

/**
 * Turns the trainer's callbacks into events: {@code Started} once the data and the model are
 * ready, {@code BatchProgress} at most once per interval (and always for an epoch's last
 * batch, so that a client sees each epoch finish its steps), {@code EpochEnd} per epoch.
 */
final class ProgressEvents implements TrainingListener {
  private final TrainEvents events;
  private final String jobId;
  private final TrainEvent.Started.Builder started;
  private final int batchSize;
  private final long intervalNanos;
  private final Consumer<String> status;
  private long lastProgressNanos;
  private long epochStartNanos;
  private volatile int epochsDone;
  private int epochs;

  /**
   * @param started what is known before training starts (data, labels, parameters); the
   *                trainer adds where it resumes and how many batches an epoch has
   * @param status  receives a one-line summary for the cluster view
   */
  ProgressEvents(TrainEvents events, String jobId, TrainEvent.Started.Builder started, int batchSize,
                 long intervalMs, Consumer<String> status) {
    this.events = events;
    this.jobId = jobId;
    this.started = started;
    this.batchSize = batchSize;
    this.intervalNanos = intervalMs * 1_000_000L;
    this.status = status;
  }

  /** Epochs completed (and checkpointed) so far, resumed ones included. */
  int epochsDone() {
    return epochsDone;
  }

  @Override
  public void onTrainingStart(int firstEpoch, int epochs, int batchesPerEpoch) {
    this.epochs = epochs;
    this.epochsDone = firstEpoch - 1;
    this.epochStartNanos = System.nanoTime();
    events.send(events.event(jobId).setStarted(started.setResumedFromEpoch(firstEpoch - 1).setEpochs(epochs)
        .setBatchesPerEpoch(batchesPerEpoch)).build());
    status.accept(jobId + " epoch " + firstEpoch + "/" + epochs);
  }

  @Override
  public void onBatchEnd(int epoch, int batch, int batches, double loss, double accuracy) {
    long now = System.nanoTime();
    if (batch < batches && now - lastProgressNanos < intervalNanos) {
      return;
    }
    lastProgressNanos = now;
    double seconds = Math.max(1e-3, (now - epochStartNanos) / 1e9);
    events.send(events.event(jobId).setProgress(TrainEvent.BatchProgress.newBuilder()
        .setEpoch(epoch).setBatch(batch).setBatches(batches).setLoss(loss).setAccuracy(accuracy)
        .setImagesPerSecond((double) batch * batchSize / seconds)).build());
  }

  @Override
  public void onEpochEnd(EpochMetrics m, boolean best) {
    epochsDone = m.epoch();
    epochStartNanos = System.nanoTime();
    events.send(events.event(jobId).setEpoch(TrainEvent.EpochEnd.newBuilder()
        .setEpoch(m.epoch()).setEpochs(epochs).setLoss(m.loss()).setAccuracy(m.accuracy())
        .setValLoss(m.valLoss()).setValAccuracy(m.valAccuracy()).setSeconds(m.seconds()).setBest(best)).build());
    status.accept(jobId + " epoch " + Math.min(m.epoch() + 1, epochs) + "/" + epochs);
  }
}
