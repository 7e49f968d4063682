package io.convnet.proto;

import java.util.List;

/** Every request/reply exchange of the cluster. */
public final class Exchanges {
  private Exchanges() {
  }

  public static final Exchange<ClassifyRequest, ClassifyReply> CLASSIFY =
      new Exchange<>("classify", Topics.CLASSIFY_REQUESTS, ClassifyReply.parser(), false, true);

  /** Not idempotent: a request may start an asynchronous job. */
  public static final Exchange<VisualizeRequest, VisualizeReply> VISUALIZE =
      new Exchange<>("visualize", Topics.VISUALIZE_REQUESTS, VisualizeReply.parser(), false);

  /** Which models are served, their versions and metadata: any one inference worker answers. */
  public static final Exchange<ModelsRequest, ModelsReply> MODELS =
      new Exchange<>("models", Topics.MODEL_QUERIES, ModelsReply.parser(), false, true);

  /**
   * A change of a model's labels or promotion policy: one trainer (it owns the model store) writes
   * it and announces the new state on the models topic.
   */
  public static final Exchange<LabelsRequest, LabelsReply> LABELS =
      new Exchange<>("labels", Topics.LABELS_REQUESTS, LabelsReply.parser(), false);

  /** What each inference worker served per model version (canary figures): every worker answers. */
  public static final Exchange<ModelTrafficRequest, ModelTrafficReply> MODEL_TRAFFIC =
      new Exchange<>("model-traffic", Topics.MODELS_TRAFFIC, ModelTrafficReply.parser(), true);

  /** Every instance of every service answers a ping. */
  public static final Exchange<StatusPing, StatusPong> STATUS =
      new Exchange<>("status", Topics.STATUS_PINGS, StatusPong.parser(), true);

  public static final List<Exchange<?, ?>> ALL = List.of(CLASSIFY, MODELS, LABELS, MODEL_TRAFFIC, VISUALIZE, STATUS);
}
