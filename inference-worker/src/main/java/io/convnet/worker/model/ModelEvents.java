package io.convnet.worker.model;

import io.convnet.kit.kafka.KafkaClients;
import io.convnet.kit.kafka.StartAt;
import io.convnet.kit.kafka.TopicFollower;
import io.convnet.proto.ModelPublished;
import io.convnet.proto.Topics;
import io.convnet.proto.TrainEvent;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Duration;

/**
 * Follows, without a consumer group (every worker reads everything), the compacted models topic
 * from its beginning (each newer version is loaded and switched to) and the last day of
 * training events (which models are being trained right now). Should following stop, new
 * versions are still found by the store scan.
 */
public final class ModelEvents {
  private static final Duration TRAINING_LOOKBACK = Duration.ofHours(24);

  private final TopicFollower<ModelPublished> models;
  private final TopicFollower<TrainEvent> trainEvents;

  public ModelEvents(Context context, KafkaClients clients, WorkerModels models, TrainingWatch training) {
    this.models = new TopicFollower<>(context, clients, Topics.MODELS, StartAt.beginning(),
        e -> models.onPublished(e.value()));
    this.trainEvents = new TopicFollower<>(context, clients, Topics.TRAIN_EVENTS, StartAt.since(TRAINING_LOOKBACK),
        e -> training.apply(e.value()));
  }

  public void start() {
    models.start();
    trainEvents.start();
  }

  public Future<Void> close() {
    return Future.join(models.close(), trainEvents.close()).mapEmpty();
  }
}
