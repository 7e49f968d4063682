package io.convnet.ingraph;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.SwitchCond;
import org.tensorflow.op.image.DecodeJpeg;
import org.tensorflow.op.image.DecodePng;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint16;
import org.tensorflow.types.TUint8;

/**
 * {@link io.convnet.image.ImageDecoder} as graph ops: encoded bytes (scalar string) -> upright 8-bit RGB
 * {@code [h, w, 3]} uint8, the same pixels as the Java decoder gives.
 *
 * <ul>
 *   <li>JPEG with libjpeg's accurate integer DCT ({@code INTEGER_ACCURATE}; TensorFlow's default, the
 *       fast DCT, differs by a few levels from the JDK's decoder), CMYK/YCCK converted by TensorFlow,
 *       then the EXIF orientation applied ({@link InGraphExifOrientation}).
 *   <li>PNG of any kind: gray replicated, alpha (and palette transparency) composited on white with the
 *       Java arithmetic; 16-bit samples decoded as such and rounded to 8 bits ({@code round(v * 255 /
 *       65535)}) instead of TensorFlow's truncation.
 *   <li>GIF (first frame) and BMP decode too (TensorFlow's decoder sniffs the format), which the Java
 *       decoder refuses; anything else fails the request with TensorFlow's "Unknown image file format".
 * </ul>
 */
public final class InGraphDecoder {
  private static final int[] PNG_MAGIC = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  /** Offset of the bit depth in a PNG: 8 signature bytes, IHDR length and type, width, height. */
  private static final int PNG_BIT_DEPTH = 24;

  private InGraphDecoder() {}

  public static Operand<TUint8> rgb(Ops tf, Operand<TString> encoded) {
    ByteWindow head = ByteWindow.of(tf, encoded, InGraphExifOrientation.WINDOW);
    Operand<TUint8> rgb = onWhite(tf, decode(tf, encoded, head));
    return InGraphExifOrientation.apply(tf, rgb, InGraphExifOrientation.tag(tf, head));
  }

  /** Native channels (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA), 8-bit. */
  private static Operand<TUint8> decode(Ops tf, Operand<TString> encoded, ByteWindow head) {
    Operand<TBool> png16 = tf.math.logicalAnd(head.startsWith(PNG_MAGIC),
        tf.math.equal(head.u8(PNG_BIT_DEPTH), tf.constant(16)));
    SwitchCond<TString> branch = tf.switchCond(encoded, png16);
    // DecodeJpeg decodes PNG, GIF and BMP too; only its JPEG path takes the DCT method
    Operand<TUint8> eightBit = tf.image.decodeJpeg(branch.outputFalse(), DecodeJpeg.channels(0L),
        DecodeJpeg.dctMethod("INTEGER_ACCURATE"));
    Operand<TInt32> sixteen = tf.dtypes.cast(tf.image.decodePng(branch.outputTrue(), TUint16.class,
        DecodePng.channels(0L)), TInt32.class);
    Operand<TInt32> rounded = tf.math.floorDiv(tf.math.add(tf.math.mul(sixteen, tf.constant(255)),
        tf.constant(32_767)), tf.constant(65_535));
    return tf.merge(List.of(eightBit, tf.dtypes.cast(rounded, TUint8.class))).output();
  }

  /**
   * 1..4 channels -> RGB: alpha composited on white ({@code (v * a + 255 * (255 - a) + 127) / 255}, as
   * {@code RgbConversion}), gray replicated. Images without alpha skip the arithmetic.
   */
  private static Operand<TUint8> onWhite(Ops tf, Operand<TUint8> image) {
    Operand<TInt32> channels = tf.gather(tf.shape(image), tf.constant(2), tf.constant(0));
    Operand<TBool> hasAlpha = tf.math.equal(tf.math.floorMod(channels, tf.constant(2)), tf.constant(0));
    SwitchCond<TUint8> branch = tf.switchCond(image, hasAlpha);
    Operand<TInt32> withAlpha = tf.dtypes.cast(branch.outputTrue(), TInt32.class);
    Operand<TInt32> colours = tf.math.sub(channels, tf.constant(1));
    Operand<TInt32> colour = tf.slice(withAlpha, tf.constant(new int[] {0, 0, 0}),
        tf.concat(List.of(tf.constant(new int[] {-1, -1}), tf.reshape(colours, tf.constant(new int[] {1}))),
            tf.constant(0)));
    Operand<TInt32> alpha = tf.slice(withAlpha, tf.concat(List.of(tf.constant(new int[] {0, 0}),
        tf.reshape(colours, tf.constant(new int[] {1}))), tf.constant(0)), tf.constant(new int[] {-1, -1, 1}));
    Operand<TInt32> composited = tf.math.floorDiv(tf.math.add(tf.math.add(tf.math.mul(colour, alpha),
        tf.math.mul(tf.constant(255), tf.math.sub(tf.constant(255), alpha))), tf.constant(127)), tf.constant(255));
    Operand<TUint8> opaque = tf.merge(List.of(tf.dtypes.cast(composited, TUint8.class), branch.outputFalse()))
        .output();
    Operand<TInt32> colourChannels = tf.gather(tf.shape(opaque), tf.constant(2), tf.constant(0));
    Operand<TInt32> repeat = tf.math.floorDiv(tf.constant(3), colourChannels);
    return tf.tile(opaque, tf.concat(List.of(tf.constant(new int[] {1, 1}), tf.reshape(repeat,
        tf.constant(new int[] {1}))), tf.constant(0)));
  }
}
