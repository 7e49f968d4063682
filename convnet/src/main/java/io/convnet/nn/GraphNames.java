package io.convnet.nn;

/** Names of the ops every model graph (and so every bundle) has; layer outputs are named after layers. */
public final class GraphNames {
  private GraphNames() {}

  /** Float [-1, h, w, c] image batch, already preprocessed. */
  public static final String INPUT = "input";
  /** Float scalar, default 0 (inference); 1 switches dropout on. */
  public static final String TRAINING = "training";
  /** Int64 [2] seed of the dropout masks; the trainer feeds (seed, step). */
  public static final String STEP_SEED = "step_seed";
  /** The last layer's pre-activation. */
  public static final String LOGITS = "logits";
  /** Float [-1, classes]: for a sigmoid model (1 - p, p). */
  public static final String PROBABILITIES = "probabilities";
  public static final String LABELS = "labels";
  public static final String LOSS = "loss";
  public static final String TRAIN_STEP = "train_step";
  /** Float scalar the trainer feeds with the epoch's learning rate. */
  public static final String LEARNING_RATE = "learning_rate";
  public static final String PREACT_SUFFIX = "_preact";

  public static String preActivation(String layer) {
    return layer + PREACT_SUFFIX;
  }
}
