package io.convnet.bundle;

/**
 * SavedModel signature keys and tensor names of bundles. Every bundle has the float-tensor signatures
 * ({@link #SERVING}, {@link #LOGITS}, {@link #ACTIVATIONS}); bundles written since encoded-image export
 * also have {@link #SERVING_BYTES}, {@link #PREPROCESS_BYTES} and {@link #CLASSIFY} when their
 * preprocessing can run in the graph ({@code EncodedImageGraph}). A manifest without
 * {@link #SERVING_BYTES} means: decode and preprocess in Java, then feed {@code input}.
 */
public final class Signatures {
  private Signatures() {}

  /** input -> probabilities [n, classes]. */
  public static final String SERVING = "serving_default";
  /** input -> logits (the last layer's pre-activation). */
  public static final String LOGITS = "logits";
  /** input -> every layer output (by layer name) and conv/dense pre-activations ({@code <layer>_preact}). */
  public static final String ACTIVATIONS = "activations";
  /** image_bytes (encoded images, string [n]) -> probabilities [n, classes]: decoded and preprocessed in the graph. */
  public static final String SERVING_BYTES = "serving_bytes";
  /** image_bytes -> images: the model input the graph computes, what {@link #SERVING} takes (for checks). */
  public static final String PREPROCESS_BYTES = "preprocess_bytes";
  /**
   * TF Serving's classification API: inputs (serialized {@code tf.Example}s with a bytes feature
   * {@code image_bytes}) -> classes (labels, string [n, classes]) and scores (probabilities, same order).
   */
  public static final String CLASSIFY = "classify";

  /** String [n] of encoded images (TF Serving's convention for image inputs: a name ending in {@code _bytes}). */
  public static final String IMAGE_BYTES = "image_bytes";
  /** {@link #PREPROCESS_BYTES}' output: model input [n, h, w, c]. */
  public static final String IMAGES = "images";
  /** Input of {@link #CLASSIFY} (TF Serving's key); the graph tensor is {@code tf_example}. */
  public static final String CLASSIFY_INPUTS = "inputs";
  public static final String CLASSES = "classes";
  public static final String SCORES = "scores";

  public static final String PREDICT_METHOD = "tensorflow/serving/predict";
  public static final String CLASSIFY_METHOD = "tensorflow/serving/classify";
}
