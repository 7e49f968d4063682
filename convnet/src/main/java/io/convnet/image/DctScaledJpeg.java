package io.convnet.image;

import java.awt.color.ColorSpace;
import java.awt.image.ColorConvertOp;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.image.DecodeJpeg;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;

/**
 * A JPEG decoded at 1/2, 1/4 or 1/8 of its size by libjpeg-turbo's DCT scaling (TensorFlow's own
 * {@code DecodeJpeg} with {@code ratio}): the inverse DCT of each 8x8 block yields 4x4, 2x2 or 1x1
 * pixels, so a 12 MP photo is never expanded to full size only to be shrunk to 150x150. At 1/8 a pixel
 * is its block's mean, i.e. an exact area average; the caller's resize does the rest.
 *
 * <p>One small graph (a string placeholder and one {@code DecodeJpeg} per ratio, 3 channels, the
 * accurate integer IDCT and fancy chroma upsampling, as libjpeg's defaults) and one Session for the
 * process, created on first use and shared by all threads: a Session runs concurrently. It lives as long
 * as the process, like the TensorFlow runtime it sits in; every call closes its tensors.
 */
final class DctScaledJpeg {
  private static final int[] RATIOS = {8, 4, 2};
  private static final Object LOCK = new Object();
  private static volatile DctScaledJpeg shared;

  private final Session session;
  private final Placeholder<TString> input;
  private final Map<Integer, Operand<TUint8>> decodeByRatio;

  private DctScaledJpeg() {
    Graph graph = new Graph();
    Ops tf = Ops.create(graph);
    input = tf.withName("jpeg").placeholder(TString.class);
    decodeByRatio = Map.of(
        2, decode(tf, 2),
        4, decode(tf, 4),
        8, decode(tf, 8));
    session = new Session(graph, io.convnet.nn.TensorFlowThreads.process().configProto());
  }

  private Operand<TUint8> decode(Ops tf, long ratio) {
    return tf.withName("decode_1_" + ratio).image.decodeJpeg(input, DecodeJpeg.channels(3L), DecodeJpeg.ratio(ratio),
        DecodeJpeg.dctMethod("INTEGER_ACCURATE"));  // the JDK decoder's islow IDCT, and the in-graph decode's
  }

  static DctScaledJpeg shared() {
    DctScaledJpeg d = shared;
    if (d == null) {
      synchronized (LOCK) {
        d = shared;
        if (d == null) {
          d = new DctScaledJpeg();
          shared = d;
        }
      }
    }
    return d;
  }

  /**
   * The largest reduction (8, 4 or 2) that leaves the upright image at least {@code needWidth x
   * needHeight}, or 1 when none does. EXIF orientations 5..8 turn the stored image by 90 degrees, so its
   * stored width becomes the upright height. libjpeg rounds scaled sizes up.
   */
  static int ratio(int width, int height, int orientation, int needWidth, int needHeight) {
    boolean turned = orientation >= 5 && orientation <= 8;
    int uprightWidth = turned ? height : width;
    int uprightHeight = turned ? width : height;
    for (int ratio : RATIOS) {
      if (ceilDiv(uprightWidth, ratio) >= needWidth && ceilDiv(uprightHeight, ratio) >= needHeight) {
        return ratio;
      }
    }
    return 1;
  }

  /** The stored (not yet EXIF-rotated) size the decode of {@code width x height} at {@code ratio} has. */
  static int scaled(int size, int ratio) {
    return ceilDiv(size, ratio);
  }

  /**
   * Decodes {@code jpeg} at {@code 1/ratio} (2, 4 or 8) to RGB, as stored (no EXIF orientation, no ICC
   * profile applied). Gray JPEGs come out replicated to 3 channels.
   *
   * @throws org.tensorflow.exceptions.TensorFlowException if libjpeg-turbo refuses the data
   */
  RgbImage decode(byte[] jpeg, int ratio) {
    Operand<TUint8> op = decodeByRatio.get(ratio);
    if (op == null) {
      throw new IllegalArgumentException("ratio must be 2, 4 or 8, got " + ratio);
    }
    try (TString in = TString.tensorOfBytes(NdArrays.scalarOfObject(jpeg));
        Result result = session.runner().feed(input, in).fetch(op).run()) {
      TUint8 pixels = (TUint8) result.get(0);
      int h = Math.toIntExact(pixels.shape().get(0));
      int w = Math.toIntExact(pixels.shape().get(1));
      byte[] rgb = new byte[w * h * 3];
      pixels.copyTo(DataBuffers.of(rgb, false, false));
      return new RgbImage(w, h, rgb);
    }
  }

  /**
   * Converts RGB samples in the colour space of an embedded ICC profile to sRGB with Java2D's colour
   * management, raster to raster: the conversion TwelveMonkeys' reader applies on the full-size path,
   * here on the reduced pixels.
   */
  static RgbImage toSrgb(RgbImage image, ColorSpace from) {
    int w = image.width();
    int h = image.height();
    PixelInterleavedSampleModel layout = new PixelInterleavedSampleModel(DataBuffer.TYPE_BYTE, w, h, 3, w * 3,
        new int[] {0, 1, 2});
    Raster src = Raster.createRaster(layout, new DataBufferByte(image.pixels(), image.pixels().length), null);
    byte[] out = new byte[image.pixels().length];
    WritableRaster dst = Raster.createWritableRaster(layout, new DataBufferByte(out, out.length), null);
    new ColorConvertOp(from, ColorSpace.getInstance(ColorSpace.CS_sRGB), null).filter(src, dst);
    return new RgbImage(w, h, out);
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }
}
