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

  /**
   * How inputs are prepared ({@link io.convnet.data.Preprocessing.Mode}): {@code RESCALE}: x * scale (1/255);
   * {@code CAFFE}: RGB->BGR minus ImageNet channel means; {@code MNIST}: one gray channel, the digit normalised
   * as MNIST's ({@code digit} says how), x * scale (1/255). {@code mode} alone decides; the rest documents it.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Preprocessing(String mode, double scale, Digit digit) {

    public Preprocessing(String mode, double scale) {
      this(mode, scale, null);
    }

    /** The manifest entry of {@code p}. */
    public static Preprocessing of(io.convnet.data.Preprocessing p) {
      var mode = p.mode();
      return new Preprocessing(mode.name(), mode == io.convnet.data.Preprocessing.Mode.CAFFE ? 1.0 : 1 / 255.0,
          mode == io.convnet.data.Preprocessing.Mode.MNIST ? Digit.of(p) : null);
    }
  }

  /**
   * MNIST preprocessing ({@code io.convnet.image.MnistDigits}): any picture becomes one channel (luma), light
   * ink on black (a dark-on-light picture is inverted), the digit scaled into a {@code box x box} box and its
   * centre of mass put at the centre of a {@code field x field} field, which is padded with black by
   * {@code padding} pixels on each side to the input size.
   */
  public record Digit(String gray, String polarity, int box, int field, String centring, int padding) {
    static Digit of(io.convnet.data.Preprocessing p) {
      return new Digit("luma (299 R + 587 G + 114 B) / 1000", "light on dark; dark-on-light pictures are inverted",
          io.convnet.image.MnistDigits.BOX, io.convnet.image.MnistDigits.FIELD, "centre of mass",
          (p.height() - io.convnet.image.MnistDigits.FIELD) / 2);
    }
  }

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

  /**
   * How this bundle's inputs are prepared, from {@code input} and {@code preprocessing} ({@code RESCALE} when the
   * manifest names none): what inference, evaluation and visualization apply to a picture. Refuses a manifest
   * whose input channels differ from what its preprocessing gives.
   */
  public io.convnet.data.Preprocessing inputPreprocessing() {
    if (input == null) {
      throw new IllegalArgumentException("the manifest of model '" + name + "' has no input size");
    }
    var mode = io.convnet.data.Preprocessing.Mode.parse(preprocessing == null ? "RESCALE" : preprocessing.mode());
    if (input.channels() != mode.channels()) {
      throw new IllegalArgumentException("model '" + name + "' takes " + input.channels() + " input channels but its "
          + mode.name() + " preprocessing gives " + mode.channels());
    }
    return new io.convnet.data.Preprocessing(input.height(), input.width(), mode);
  }

  /** Names of the convolution layers, in order (what feature-map and Grad-CAM tools offer). */
  public List<String> convLayers() {
    return layers.stream().filter(LayerEntry::conv).map(LayerEntry::name).toList();
  }
}
