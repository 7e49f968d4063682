package io.convnet.ingraph;

import io.convnet.data.Preprocessing;
import java.util.Locale;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.image.ScaleAndTranslate;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;

/**
 * {@link Preprocessing} as graph ops: 8-bit RGB {@code [h, w, 3]} -> one model input {@code [height,
 * width, channels]} float.
 *
 * <ul>
 *   <li>Resize: TensorFlow's {@code ScaleAndTranslate} with the triangle kernel and antialiasing (what
 *       {@code tf.image.resize(method="bilinear", antialias=True)} runs): the filter of
 *       {@link io.convnet.image.Resize}, whose support widens with the shrink factor; then, as in Java,
 *       rounded half up to whole levels 0..255. Both filter columns then rows in float32, but TensorFlow
 *       computes the weights in float32 and Java in double: where the exact result is a half level (common
 *       when the scale is a simple ratio, such as 180 -> 150) the two can round apart, one level (1/255).
 *   <li>Scaling exactly as {@link Preprocessing#toFloats}: {@code RESCALE} multiplies by the same float,
 *       {@code CAFFE} reverses RGB to BGR and subtracts the same means.
 *   <li>{@code MNIST} (one channel): the digit normalised as MNIST's ({@link InGraphMnistDigits}), in the
 *       middle of a black input, then {@code x / 255}.
 * </ul>
 *
 * @param height model input height
 * @param width model input width
 * @param kind the manifest's preprocessing mode
 */
public record InGraphPreprocessing(int height, int width, Kind kind) {

  /**
   * Large JPEGs are decoded reduced ({@link InGraphDecoder#rgbForSize}), as the Java path's
   * {@code ImageDecoder.decodeForSize} does for training and serving, so both see the same pixels.
   */
  static final boolean DECODE_FOR_SIZE = true;

  /** The preprocessing modes the graph reproduces. */
  public enum Kind {
    /** {@code x / 255}, RGB. */
    RESCALE(Preprocessing.Mode.RESCALE, 3),
    /** BGR minus the ImageNet means (VGG16's ImageNet weights). */
    CAFFE(Preprocessing.Mode.CAFFE, 3),
    /** A handwritten digit normalised as MNIST's, padded to the input size, {@code x / 255}; one channel. */
    MNIST(Preprocessing.Mode.RESCALE, 1);

    final Preprocessing.Mode scaling;
    final int channels;

    Kind(Preprocessing.Mode scaling, int channels) {
      this.scaling = scaling;
      this.channels = channels;
    }

    public int channels() {
      return channels;
    }

    /** The kind of a manifest's preprocessing mode (any case); empty for a mode the graph cannot do. */
    public static Optional<Kind> of(String mode) {
      if (mode == null) {
        return Optional.empty();
      }
      try {
        return Optional.of(valueOf(mode.trim().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
    }
  }

  public InGraphPreprocessing {
    if (height <= 0 || width <= 0) {
      throw new IllegalArgumentException("input size must be positive, got " + height + "x" + width);
    }
    if (kind == Kind.MNIST && (height < InGraphMnistDigits.FIELD || width < InGraphMnistDigits.FIELD)) {
      throw new IllegalArgumentException("MNIST preprocessing needs an input of at least 28x28, got " + height
          + "x" + width);
    }
  }

  public int channels() {
    return kind.channels;
  }

  /** Decodes and preprocesses one encoded image. */
  public Operand<TFloat32> fromEncoded(Ops tf, Operand<TString> encoded) {
    return apply(tf, DECODE_FOR_SIZE ? InGraphDecoder.rgbForSize(tf, encoded, width, height)
        : InGraphDecoder.rgb(tf, encoded));
  }

  /** The model input of one decoded image. */
  public Operand<TFloat32> apply(Ops tf, Operand<TUint8> rgb) {
    Preprocessing.Mode scaling = kind.scaling;
    Operand<TFloat32> sized = kind == Kind.MNIST ? digitField(tf, rgb) : resize(tf, rgb);
    Operand<TFloat32> scaled = tf.math.mul(sized, tf.constant(scaling.scale()));
    if (!scaling.bgr()) {
      return scaled;
    }
    Operand<TFloat32> bgr = tf.reverse(scaled, tf.constant(new int[] {2}));
    return tf.math.sub(bgr, tf.constant(scaling.mean()));
  }

  private Operand<TFloat32> resize(Ops tf, Operand<TUint8> image) {
    Operand<TInt32> size = tf.constant(new int[] {height, width});
    Operand<TFloat32> from = tf.dtypes.cast(tf.slice(tf.shape(image), tf.constant(new int[] {0}),
        tf.constant(new int[] {2})), TFloat32.class);
    Operand<TFloat32> scale = tf.math.div(tf.dtypes.cast(size, TFloat32.class), from);
    Operand<TFloat32> resized = tf.image.scaleAndTranslate(tf.expandDims(image, tf.constant(0)), size, scale,
        tf.constant(new float[] {0f, 0f}), ScaleAndTranslate.kernelType("triangle"),
        ScaleAndTranslate.antialias(true));
    Operand<TFloat32> levels = tf.math.floor(tf.math.add(resized, tf.constant(0.5f)));
    Operand<TFloat32> clamped = tf.math.minimum(tf.math.maximum(levels, tf.constant(0f)), tf.constant(255f));
    return tf.reshape(clamped, tf.constant(new int[] {height, width, 3}));
  }

  /** The 28x28 digit in the middle of a black {@code height x width} input (as {@code MnistDigits.centredIn}). */
  private Operand<TFloat32> digitField(Ops tf, Operand<TUint8> rgb) {
    int field = InGraphMnistDigits.FIELD;
    int top = (height - field) / 2;
    int left = (width - field) / 2;
    Operand<TInt32> digit = tf.pad(InGraphMnistDigits.field(tf, rgb),
        tf.constant(new int[][] {{top, height - field - top}, {left, width - field - left}}), tf.constant(0));
    return tf.reshape(tf.dtypes.cast(digit, TFloat32.class), tf.constant(new int[] {height, width, 1}));
  }
}
