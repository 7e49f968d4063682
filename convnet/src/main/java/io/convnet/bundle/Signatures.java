package io.convnet.bundle;

/** SavedModel signature keys every bundle exports. */
public final class Signatures {
  private Signatures() {}

  /** input -> probabilities [n, classes]. */
  public static final String SERVING = "serving_default";
  /** input -> logits (the last layer's pre-activation). */
  public static final String LOGITS = "logits";
  /** input -> every layer output (by layer name) and conv/dense pre-activations ({@code <layer>_preact}). */
  public static final String ACTIVATIONS = "activations";
}
