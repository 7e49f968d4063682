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
 *       then the EXIF orientation applied ({@link InGraphExifOrientation}). Embedded ICC profiles are
 *       not applied (TwelveMonkeys converts a non-sRGB profile, e.g. Display P3, to sRGB).
 *   <li>{@link #rgbForSize}: a large JPEG decoded at 1/2, 1/4 or 1/8 by libjpeg-turbo's DCT scaling,
 *       with the rule of the Java decoder's {@code decodeForSize}.
 *   <li>PNG of any kind: gray replicated, alpha (and palette transparency) composited on white with the
 *       Java arithmetic; 16-bit samples decoded as such and rounded to 8 bits ({@code round(v * 255 /
 *       65535)}) instead of TensorFlow's truncation.
 *   <li>GIF: the first frame (of an animation too), as TensorFlow's {@code DecodeGif} composes it; BMP
 *       decodes too. Anything else (WebP included: TensorFlow 2.18's decoders do not read it) fails the
 *       request with TensorFlow's "Unknown image file format".
 * </ul>
 *
 * <p>The branches are {@code Switch}/{@code Merge} (TensorFlow 1 conditionals): they run inside the
 * batch's while loop, and only the taken branch decodes.
 */
public final class InGraphDecoder {
  private static final int[] PNG_MAGIC = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  private static final int[] JPEG_MAGIC = {0xFF, 0xD8};
  private static final int[] GIF_MAGIC = {'G', 'I', 'F', '8'};
  /** Offset of the bit depth in a PNG: 8 signature bytes, IHDR length and type, width, height. */
  private static final int PNG_BIT_DEPTH = 24;
  private static final int[] REDUCTIONS = {8, 4, 2};

  private InGraphDecoder() {}

  /** The full-size image, as {@code ImageDecoder.decode}. */
  public static Operand<TUint8> rgb(Ops tf, Operand<TString> encoded) {
    return rgbForSize(tf, encoded, 0, 0);
  }

  /**
   * The image for use at {@code width x height}: a JPEG of 1 or 3 components whose upright size allows
   * it is decoded at the largest of 1/8, 1/4 and 1/2 that leaves it at least {@code width x height}
   * (libjpeg rounds scaled sizes up); anything else as {@link #rgb}.
   */
  public static Operand<TUint8> rgbForSize(Ops tf, Operand<TString> encoded, int width, int height) {
    ByteWindow head = ByteWindow.of(tf, encoded, InGraphExifOrientation.WINDOW);
    Operand<TInt32> orientation = InGraphExifOrientation.tag(tf, head);
    Operand<TUint8> rgb = onWhite(tf, decode(tf, encoded, head, orientation, width, height));
    return InGraphExifOrientation.apply(tf, rgb, orientation);
  }

  /** Native channels (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA), 8-bit. */
  private static Operand<TUint8> decode(Ops tf, Operand<TString> encoded, ByteWindow head,
      Operand<TInt32> orientation, int width, int height) {
    Operand<TBool> png16 = tf.math.logicalAnd(head.startsWith(PNG_MAGIC),
        tf.math.equal(head.u8(PNG_BIT_DEPTH), tf.constant(16)));
    SwitchCond<TString> is16 = tf.switchCond(encoded, png16);
    Operand<TInt32> sixteen = tf.dtypes.cast(tf.image.decodePng(is16.outputTrue(), TUint16.class,
        DecodePng.channels(0L)), TInt32.class);
    Operand<TInt32> rounded = tf.math.floorDiv(tf.math.add(tf.math.mul(sixteen, tf.constant(255)),
        tf.constant(32_767)), tf.constant(65_535));

    // a GIF's first frame (DecodeGif composes it on the logical screen); DecodeJpeg refuses animated GIFs
    SwitchCond<TString> isGif = tf.switchCond(is16.outputFalse(), head.startsWith(GIF_MAGIC));
    Operand<TUint8> gif = tf.gather(tf.image.decodeGif(isGif.outputTrue()), tf.constant(0), tf.constant(0));
    SwitchCond<TString> isJpeg = tf.switchCond(isGif.outputFalse(), head.startsWith(JPEG_MAGIC));
    // DecodeJpeg decodes PNG and BMP too; only its JPEG path uses the DCT method
    Operand<TUint8> other = decodeJpeg(tf, isJpeg.outputFalse(), 1);
    Operand<TString> jpeg = isJpeg.outputTrue();
    Operand<TInt32> reduction = reduction(tf, jpeg, orientation, width, height);
    List<Operand<TUint8>> decoded = new java.util.ArrayList<>(List.of(tf.dtypes.cast(rounded, TUint8.class), gif,
        other));
    Operand<TString> rest = jpeg;
    for (int r : REDUCTIONS) {
      SwitchCond<TString> atR = tf.switchCond(rest, tf.math.equal(reduction, tf.constant(r)));
      decoded.add(decodeJpeg(tf, atR.outputTrue(), r));
      rest = atR.outputFalse();
    }
    decoded.add(decodeJpeg(tf, rest, 1));
    return tf.merge(decoded).output();
  }

  private static Operand<TUint8> decodeJpeg(Ops tf, Operand<TString> bytes, int ratio) {
    return tf.image.decodeJpeg(bytes, DecodeJpeg.channels(0L), DecodeJpeg.ratio((long) ratio),
        DecodeJpeg.dctMethod("INTEGER_ACCURATE"));
  }

  /** 8, 4, 2 or 1, from the JPEG header: the rule of {@code DctScaledJpeg.ratio} in the Java decoder. */
  private static Operand<TInt32> reduction(Ops tf, Operand<TString> jpeg, Operand<TInt32> orientation, int width,
      int height) {
    if (width <= 0 || height <= 0) {
      return tf.constant(1);
    }
    Operand<TInt32> shape = tf.image.extractJpegShape(jpeg);
    Operand<TInt32> stored0 = tf.gather(shape, tf.constant(0), tf.constant(0));
    Operand<TInt32> stored1 = tf.gather(shape, tf.constant(1), tf.constant(0));
    Operand<TInt32> components = tf.gather(shape, tf.constant(2), tf.constant(0));
    Operand<TBool> turned = tf.math.greaterEqual(orientation, tf.constant(5));
    Operand<TInt32> uprightHeight = tf.select(turned, stored1, stored0);
    Operand<TInt32> uprightWidth = tf.select(turned, stored0, stored1);
    Operand<TBool> plain = tf.math.logicalOr(tf.math.equal(components, tf.constant(1)),
        tf.math.equal(components, tf.constant(3)));
    Operand<TInt32> reduction = tf.constant(1);
    for (int i = REDUCTIONS.length - 1; i >= 0; i--) { // 2, then 4, then 8: the largest that fits wins
      int r = REDUCTIONS[i];
      Operand<TBool> fits = tf.math.logicalAnd(
          tf.math.greaterEqual(ceilDiv(tf, uprightWidth, r), tf.constant(width)),
          tf.math.greaterEqual(ceilDiv(tf, uprightHeight, r), tf.constant(height)));
      reduction = tf.select(tf.math.logicalAnd(plain, fits), tf.constant(r), reduction);
    }
    return reduction;
  }

  private static Operand<TInt32> ceilDiv(Ops tf, Operand<TInt32> a, int b) {
    return tf.math.floorDiv(tf.math.add(a, tf.constant(b - 1)), tf.constant(b));
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
    Operand<TInt32> colours = tf.reshape(tf.math.sub(channels, tf.constant(1)), tf.constant(new int[] {1}));
    Operand<TInt32> colour = tf.slice(withAlpha, tf.constant(new int[] {0, 0, 0}),
        tf.concat(List.of(tf.constant(new int[] {-1, -1}), colours), tf.constant(0)));
    Operand<TInt32> alpha = tf.slice(withAlpha, tf.concat(List.of(tf.constant(new int[] {0, 0}), colours),
        tf.constant(0)), tf.constant(new int[] {-1, -1, 1}));
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
