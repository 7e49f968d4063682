package io.convnet.ingraph;

import io.convnet.data.Preprocessing;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.image.ScaleAndTranslate;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;
import org.tensorflow.types.family.TNumber;

/**
 * {@link Preprocessing} as graph ops: 8-bit RGB {@code [h, w, 3]} -> one model input {@code [height,
 * width, channels]} float.
 *
 * <ul>
 *   <li>Resize: TensorFlow's {@code ScaleAndTranslate} with the triangle kernel and antialiasing (what
 *       {@code tf.image.resize(method="bilinear", antialias=True)} runs): the filter of
 *       {@link io.convnet.image.Resize}, whose support widens with the shrink factor. Then, as in Java,
 *       rounded half up to whole 0..255 levels. TensorFlow filters rows before columns in float32, Java
 *       columns before rows with double-precision weights: a sum that lands within about 1e-4 of a
 *       half level can round the other way (one level, 1/255 after rescaling).
 *   <li>Scaling exactly as {@link Preprocessing#toFloats}: {@code RESCALE} multiplies by the same float,
 *       {@code CAFFE} reverses RGB to BGR and subtracts the same means.
 *   <li>One-channel models: luma {@code (19595 R + 38470 G + 7471 B + 32768) >> 16} (ITU-R 601-2, what
 *       Pillow's {@code convert("L")} and Keras' {@code color_mode="grayscale"} use), before resizing.
 * </ul>
 *
 * @param height model input height
 * @param width model input width
 * @param channels 3 (RGB) or 1 (gray)
 * @param mode pixel scaling
 */
public record InGraphPreprocessing(int height, int width, int channels, Preprocessing.Mode mode) {

  public InGraphPreprocessing {
    if (height <= 0 || width <= 0) {
      throw new IllegalArgumentException("input size must be positive, got " + height + "x" + width);
    }
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("in-graph preprocessing takes 1 or 3 channels, got " + channels);
    }
    if (channels == 1 && mode.bgr()) {
      throw new IllegalArgumentException(mode + " preprocessing needs 3 channels");
    }
  }

  /** The model input of one decoded image. */
  public Operand<TFloat32> apply(Ops tf, Operand<TUint8> rgb) {
    Operand<TFloat32> sized = channels == 1 ? resize(tf, luma(tf, rgb)) : resize(tf, rgb);
    Operand<TFloat32> scaled = tf.math.mul(sized, tf.constant(mode.scale()));
    if (!mode.bgr()) {
      return scaled;
    }
    Operand<TFloat32> bgr = tf.reverse(scaled, tf.constant(new int[] {2}));
    return tf.math.sub(bgr, tf.constant(mode.mean()));
  }

  private Operand<TFloat32> resize(Ops tf, Operand<? extends TNumber> image) {
    Operand<TInt32> size = tf.constant(new int[] {height, width});
    Operand<TFloat32> from = tf.dtypes.cast(tf.slice(tf.shape(image), tf.constant(new int[] {0}),
        tf.constant(new int[] {2})), TFloat32.class);
    Operand<TFloat32> scale = tf.math.div(tf.dtypes.cast(size, TFloat32.class), from);
    Operand<TFloat32> resized = tf.image.scaleAndTranslate(tf.expandDims(image, tf.constant(0)), size, scale,
        tf.constant(new float[] {0f, 0f}), ScaleAndTranslate.kernelType("triangle"),
        ScaleAndTranslate.antialias(true));
    Operand<TFloat32> levels = tf.math.floor(tf.math.add(resized, tf.constant(0.5f)));
    Operand<TFloat32> clamped = tf.math.minimum(tf.math.maximum(levels, tf.constant(0f)), tf.constant(255f));
    return tf.reshape(clamped, tf.constant(new int[] {height, width, channels}));
  }

  private static Operand<TInt32> luma(Ops tf, Operand<TUint8> rgb) {
    Operand<TInt32> weighted = tf.math.mul(tf.dtypes.cast(rgb, TInt32.class),
        tf.constant(new int[] {19_595, 38_470, 7_471}));
    Operand<TInt32> sum = tf.reduceSum(weighted, tf.constant(2), org.tensorflow.op.core.ReduceSum.keepDims(true));
    return tf.bitwise.rightShift(tf.math.add(sum, tf.constant(32_768)), tf.constant(16));
  }

  /**
   * Whether large JPEGs are decoded reduced ({@link InGraphDecoder#rgbForSize}): only once the Java path
   * does the same (the decoder's {@code decodeForSize}, which training and serving then use), so that
   * both see the same pixels; until then the full-size decode, as {@code ImageDecoder.decode}.
   */
  static final boolean DECODE_FOR_SIZE = false;

  /** Decodes and preprocesses one encoded image. */
  public Operand<TFloat32> fromEncoded(Ops tf, Operand<TString> encoded) {
    return apply(tf, DECODE_FOR_SIZE ? InGraphDecoder.rgbForSize(tf, encoded, width, height)
        : InGraphDecoder.rgb(tf, encoded));
  }
}
