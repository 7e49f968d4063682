package io.convnet.bundle;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * {@code manifest.json} of a model bundle: everything a reader needs besides the SavedModel itself.
 * Readers ignore fields they do not know; {@link #FORMAT_VERSION} changes only for incompatible changes.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Manifest(
    int formatVersion,
    String name,
    int version,
    String architecture,
    String createdAt,
    Input input,
    Preprocessing preprocessing,
    List<String> labels,
    Output output,
    List<LayerEntry> layers,
    Map<String, SignatureEntry> signatures,
    Metrics metrics,
    Map<String, Object> training,
    String tensorflowVersion) {

  public static final int FORMAT_VERSION = 1;

  /** Image size the model takes (NHWC). */
  public record Input(int height, int width, int channels) {}

  /** {@code RESCALE}: x * scale (1/255); {@code CAFFE}: RGB->BGR minus ImageNet channel means. */
  public record Preprocessing(String mode, double scale) {}

  /** {@code sigmoid}: one unit, probability of labels[1]; {@code softmax}: one unit per label. */
  public record Output(String activation, int classes) {}

  public record LayerEntry(String name, String type, int[] outputShape, long params, boolean conv,
      boolean trainable) {}

  /**
   * One SavedModel signature: input and output names (signature keys) mapped to graph tensor names, and
   * (bundles from format 1 with encoded-image signatures on) the method name and each tensor's dtype and
   * shape as TF Serving's metadata shows them. Older manifests have only {@code inputs} and {@code outputs}.
   */
  public record SignatureEntry(Map<String, String> inputs, Map<String, String> outputs, String methodName,
      Map<String, TensorSpec> inputSpecs, Map<String, TensorSpec> outputSpecs) {
    public SignatureEntry(Map<String, String> inputs, Map<String, String> outputs) {
      this(inputs, outputs, null, null, null);
    }
  }

  /**
   * A signature tensor's type: {@code dtype} as TensorFlow names it ({@code DT_FLOAT}, {@code DT_STRING}),
   * {@code shape} with -1 for a dimension of any size (the batch), null when even the rank is unknown.
   */
  public record TensorSpec(String dtype, long[] shape) {}

  public record Metrics(
      double loss,
      double accuracy,
      @JsonProperty("val_loss") double valLoss,
      @JsonProperty("val_accuracy") double valAccuracy,
      @JsonProperty("best_epoch") int bestEpoch,
      @JsonProperty("epochs_run") int epochsRun) {}

  public Manifest withVersion(int v) {
    return new Manifest(formatVersion, name, v, architecture, createdAt, input, preprocessing, labels, output, layers,
        signatures, metrics, training, tensorflowVersion);
  }

  /** Whether the bundle has the signature {@code key} (see {@link Signatures}). */
  public boolean hasSignature(String key) {
    return signatures != null && signatures.containsKey(key);
  }

  /** Names of the convolution layers, in order (what feature-map and Grad-CAM tools offer). */
  public List<String> convLayers() {
    return layers.stream().filter(LayerEntry::conv).map(LayerEntry::name).toList();
  }
}
