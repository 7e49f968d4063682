package io.convnet.proto;

import com.google.protobuf.MessageLite;
import java.util.List;

/** Every Kafka topic of the cluster, named once, with the message type it carries. */
public final class Topics {
  private Topics() {
  }

  public static final Topic<ClassifyRequest> CLASSIFY_REQUESTS =
      new Topic<>("convnet.classify.requests", ClassifyRequest.parser(), 4, false);

  public static final Topic<ScoreRequest> SCORE_REQUESTS =
      new Topic<>("convnet.score.requests", ScoreRequest.parser(), 4, false);
  public static final Topic<ScoreResult> SCORE_RESULTS =
      new Topic<>("convnet.score.results", ScoreResult.parser(), 4, false);
  public static final Topic<DeadLetter> SCORE_DEAD_LETTERS =
      new Topic<>("convnet.score.dead-letters", DeadLetter.parser(), 1, false);

  public static final Topic<TrainJob> TRAIN_JOBS =
      new Topic<>("convnet.train.jobs", TrainJob.parser(), 4, false);
  public static final Topic<TrainControl> TRAIN_CONTROL =
      new Topic<>("convnet.train.control", TrainControl.parser(), 1, false);
  public static final Topic<TrainEvent> TRAIN_EVENTS =
      new Topic<>("convnet.train.events", TrainEvent.parser(), 1, false);

  public static final Topic<ModelPublished> MODELS =
      new Topic<>("convnet.models", ModelPublished.parser(), 1, true);

  /** Questions about the served models (the "models" exchange), answered by any one inference worker. */
  public static final Topic<ModelsRequest> MODEL_QUERIES =
      new Topic<>("convnet.models.queries", ModelsRequest.parser(), 4, false);

  public static final Topic<VisualizeRequest> VISUALIZE_REQUESTS =
      new Topic<>("convnet.visualize.requests", VisualizeRequest.parser(), 4, false);

  /**
   * Every state-changing call to a gateway and every refused one, written by the gateway that took
   * it and read back by every gateway ({@code GET /v1/audit}); kept a year.
   */
  public static final Topic<AuditRecord> AUDIT =
      new Topic<>("convnet.audit", AuditRecord.parser(), 1, false, 365L * 24 * 3600 * 1000);

  public static final Topic<StatusPing> STATUS_PINGS =
      new Topic<>("convnet.cluster.status", StatusPing.parser(), 1, false);

  /**
   * Replies of every {@link Exchange}. Each asking instance owns some partitions
   * (through its consumer group) and names one in each request; the value's type
   * is the exchange's reply type.
   */
  public static final Topic<MessageLite> REPLIES =
      new Topic<>("convnet.replies", null, 8, false);

  public static final List<Topic<?>> ALL = List.of(
      CLASSIFY_REQUESTS, SCORE_REQUESTS, SCORE_RESULTS, SCORE_DEAD_LETTERS,
      TRAIN_JOBS, TRAIN_CONTROL, TRAIN_EVENTS, MODELS, MODEL_QUERIES, VISUALIZE_REQUESTS, AUDIT, STATUS_PINGS,
      REPLIES);

}
