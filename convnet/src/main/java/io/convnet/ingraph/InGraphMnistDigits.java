package io.convnet.ingraph;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.image.ScaleAndTranslate;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TUint8;

/**
 * The MNIST normalisation of a digit picture (the Java {@code MnistDigits.normalize}, LeCun et al.'s
 * recipe) as graph ops, step by step with the same arithmetic: ITU-R 601 luma {@code (299 R + 587 G +
 * 114 B + 500) / 1000}; the background as the median of the outer frame (2% of the shorter side, at least
 * one pixel) and the image inverted when the ink is darker than it; the background's noise removed
 * ({@code background + 3 * 1.4826 * MAD}); the ink's bounding box (on a noisy background only clear ink,
 * a quarter of the peak, with an inked neighbour); the box scaled so that its longer side is 20
 * (the resize of {@link InGraphPreprocessing}); the brightest value stretched to 255; the centre of mass
 * moved to (14, 14) of the 28x28 field by a whole-pixel shift. No ink gives a black field.
 */
final class InGraphMnistDigits {
  static final int FIELD = 28;
  static final int BOX = 20;
  private static final double CENTRE = FIELD / 2.0;
  /** Room around the digit while it is shifted into the field; the shift is at most 14 pixels. */
  private static final int MARGIN = 32;

  private InGraphMnistDigits() {}

  /** The normalised digit, int32 {@code [28, 28]} in 0..255. */
  static Operand<TInt32> field(Ops tf, Operand<TUint8> rgb) {
    Operand<TInt32> gray = luma(tf, rgb);
    Operand<TInt32> size = tf.shape(gray);
    Operand<TInt32> h = tf.gather(size, tf.constant(0), tf.constant(0));
    Operand<TInt32> w = tf.gather(size, tf.constant(1), tf.constant(0));

    Operand<TInt32> frameHist = histogram(tf, tf.booleanMask(gray, frame(tf, h, w)));
    Operand<TInt32> background = median(tf, frameHist);
    Operand<TInt32> darkest = tf.min(gray, tf.constant(new int[] {0, 1}));
    Operand<TInt32> brightest = tf.max(gray, tf.constant(new int[] {0, 1}));
    Operand<TBool> darkInk = tf.math.greater(tf.math.sub(background, darkest), tf.math.sub(brightest, background));
    gray = tf.select(darkInk, tf.math.sub(tf.constant(255), gray), gray);
    frameHist = tf.select(darkInk, tf.reverse(frameHist, tf.constant(new int[] {0})), frameHist);
    background = tf.select(darkInk, tf.math.sub(tf.constant(255), background), background);

    Operand<TInt32> levels = tf.range(tf.constant(0), tf.constant(256), tf.constant(1));
    Operand<TInt32> deviations = tf.math.unsortedSegmentSum(frameHist,
        tf.math.abs(tf.math.sub(levels, background)), tf.constant(256));
    Operand<TInt32> noise = median(tf, deviations);
    Operand<TInt32> floor = tf.dtypes.cast(tf.math.floor(tf.math.add(tf.dtypes.cast(background, TFloat64.class),
        tf.math.mul(tf.constant(3 * 1.4826), tf.dtypes.cast(noise, TFloat64.class)))), TInt32.class);
    gray = tf.math.maximum(tf.math.sub(gray, floor), tf.constant(0));
    Operand<TInt32> peak = tf.max(gray, tf.constant(new int[] {0, 1}));

    Operand<TBool> noisy = tf.math.greater(noise, tf.constant(0));
    Operand<TInt32> ink = tf.select(noisy, tf.math.maximum(tf.constant(1), tf.math.floorDiv(peak, tf.constant(4))),
        tf.constant(1));
    Operand<TBool> inked = tf.math.greaterEqual(gray, ink);
    inked = tf.select(noisy, tf.math.logicalAnd(inked, hasInkedNeighbour(tf, inked)), inked);
    Operand<TBool> rows = tf.reduceAny(inked, tf.constant(1));
    Operand<TBool> cols = tf.reduceAny(inked, tf.constant(0));
    Operand<TInt32> top = firstTrue(tf, rows);
    Operand<TInt32> bottom = tf.math.sub(tf.math.sub(h, tf.constant(1)),
        firstTrue(tf, tf.reverse(rows, tf.constant(new int[] {0}))));
    Operand<TInt32> left = firstTrue(tf, cols);
    Operand<TInt32> right = tf.math.sub(tf.math.sub(w, tf.constant(1)),
        firstTrue(tf, tf.reverse(cols, tf.constant(new int[] {0}))));
    Operand<TBool> anyInk = tf.math.less(top, h);

    // with no ink the box is empty: crop one pixel (any) and black it out at the end
    Operand<TInt32> boxHeight = tf.select(anyInk, tf.math.add(tf.math.sub(bottom, top), tf.constant(1)),
        tf.constant(1));
    Operand<TInt32> boxWidth = tf.select(anyInk, tf.math.add(tf.math.sub(right, left), tf.constant(1)),
        tf.constant(1));
    Operand<TInt32> crop = tf.slice(gray, tf.stack(List.of(tf.select(anyInk, top, tf.constant(0)),
        tf.select(anyInk, left, tf.constant(0)))), tf.stack(List.of(boxHeight, boxWidth)));
    Operand<TInt32> digit = stretch(tf, fitBox(tf, crop, boxHeight, boxWidth));
    Operand<TInt32> placed = centreOfMassInField(tf, digit);
    return tf.math.mul(placed, tf.dtypes.cast(anyInk, TInt32.class));
  }

  private static Operand<TInt32> luma(Ops tf, Operand<TUint8> rgb) {
    Operand<TInt32> weighted = tf.math.mul(tf.dtypes.cast(rgb, TInt32.class), tf.constant(new int[] {299, 587, 114}));
    Operand<TInt32> sum = tf.reduceSum(weighted, tf.constant(2));
    return tf.math.floorDiv(tf.math.add(sum, tf.constant(500)), tf.constant(1000));
  }

  /** The outer frame: {@code max(1, min(w, h) / 50)} pixels on every side. */
  private static Operand<TBool> frame(Ops tf, Operand<TInt32> h, Operand<TInt32> w) {
    Operand<TInt32> f = tf.math.maximum(tf.constant(1), tf.math.floorDiv(tf.math.minimum(w, h), tf.constant(50)));
    Operand<TInt32> y = tf.expandDims(tf.range(tf.constant(0), h, tf.constant(1)), tf.constant(1));
    Operand<TInt32> x = tf.expandDims(tf.range(tf.constant(0), w, tf.constant(1)), tf.constant(0));
    Operand<TBool> edgeRow = tf.math.logicalOr(tf.math.less(y, f), tf.math.greaterEqual(y, tf.math.sub(h, f)));
    Operand<TBool> edgeCol = tf.math.logicalOr(tf.math.less(x, f), tf.math.greaterEqual(x, tf.math.sub(w, f)));
    return tf.math.logicalOr(edgeRow, edgeCol);
  }

  /** Counts of the values 0..255. */
  private static Operand<TInt32> histogram(Ops tf, Operand<TInt32> values) {
    return tf.math.unsortedSegmentSum(tf.onesLike(values), values, tf.constant(256));
  }

  /** The smallest value whose cumulative count reaches half the total, as the Java median of a histogram. */
  private static Operand<TInt32> median(Ops tf, Operand<TInt32> hist) {
    Operand<TInt32> total = tf.sum(hist, tf.constant(0));
    Operand<TInt32> seen = tf.math.cumsum(hist, tf.constant(0));
    Operand<TInt32> index = firstTrue(tf, tf.math.greaterEqual(tf.math.mul(seen, tf.constant(2)), total));
    return tf.math.minimum(index, tf.constant(255));
  }

  /** The first index where {@code mask} (a vector) is true; its length when none is. */
  private static Operand<TInt32> firstTrue(Ops tf, Operand<TBool> mask) {
    Operand<TInt32> n = tf.size(mask);
    Operand<TInt32> index = tf.range(tf.constant(0), n, tf.constant(1));
    return tf.min(tf.select(mask, index, tf.fill(tf.reshape(n, tf.constant(new int[] {1})), n)), tf.constant(0));
  }

  /** Whether one of the 8 neighbours is inked. */
  private static Operand<TBool> hasInkedNeighbour(Ops tf, Operand<TBool> inked) {
    Operand<TFloat32> mask = tf.reshape(tf.dtypes.cast(inked, TFloat32.class),
        tf.stack(List.of(tf.constant(1), tf.gather(tf.shape(inked), tf.constant(0), tf.constant(0)),
            tf.gather(tf.shape(inked), tf.constant(1), tf.constant(0)), tf.constant(1))));
    float[][][][] kernel = new float[3][3][1][1];
    for (float[][][] row : kernel) {
      for (float[][] k : row) {
        k[0][0] = 1f;
      }
    }
    kernel[1][1][0][0] = 0f;
    Operand<TFloat32> neighbours = tf.nn.conv2d(mask, tf.constant(kernel), List.of(1L, 1L, 1L, 1L), "SAME");
    return tf.math.greater(tf.squeeze(neighbours, org.tensorflow.op.core.Squeeze.axis(List.of(0L, 3L))),
        tf.constant(0.5f));
  }

  /** Scaled so that the longer side is 20, the aspect ratio kept ({@code Math.round}), at least 1 pixel. */
  private static Operand<TInt32> fitBox(Ops tf, Operand<TInt32> crop, Operand<TInt32> height, Operand<TInt32> width) {
    Operand<TFloat64> s = tf.math.div(tf.constant((double) BOX), tf.dtypes.cast(tf.math.maximum(height, width),
        TFloat64.class));
    Operand<TInt32> h = tf.math.maximum(tf.constant(1), roundHalfUp(tf, tf.math.mul(tf.dtypes.cast(height,
        TFloat64.class), s)));
    Operand<TInt32> w = tf.math.maximum(tf.constant(1), roundHalfUp(tf, tf.math.mul(tf.dtypes.cast(width,
        TFloat64.class), s)));
    Operand<TInt32> size = tf.stack(List.of(h, w));
    Operand<TFloat32> scale = tf.math.div(tf.dtypes.cast(size, TFloat32.class),
        tf.dtypes.cast(tf.stack(List.of(height, width)), TFloat32.class));
    Operand<TFloat32> resized = tf.image.scaleAndTranslate(tf.expandDims(tf.expandDims(crop, tf.constant(2)),
        tf.constant(0)), size, scale, tf.constant(new float[] {0f, 0f}), ScaleAndTranslate.kernelType("triangle"),
        ScaleAndTranslate.antialias(true));
    Operand<TFloat32> levels = tf.math.minimum(tf.math.maximum(tf.math.floor(tf.math.add(resized,
        tf.constant(0.5f))), tf.constant(0f)), tf.constant(255f));
    return tf.dtypes.cast(tf.reshape(levels, size), TInt32.class);
  }

  /** The brightest value becomes 255: {@code Math.round(v * 255.0 / peak)} (unchanged when 0 or 255). */
  private static Operand<TInt32> stretch(Ops tf, Operand<TInt32> digit) {
    Operand<TInt32> peak = tf.max(digit, tf.constant(new int[] {0, 1}));
    Operand<TFloat64> factor = tf.math.div(tf.constant(255.0), tf.dtypes.cast(tf.math.maximum(peak, tf.constant(1)),
        TFloat64.class));
    Operand<TInt32> stretched = roundHalfUp(tf, tf.math.mul(tf.dtypes.cast(digit, TFloat64.class), factor));
    Operand<TBool> keep = tf.math.logicalOr(tf.math.equal(peak, tf.constant(0)), tf.math.equal(peak, tf.constant(255)));
    return tf.select(keep, digit, stretched);
  }

  /** Pasted into the 28x28 field so that its intensity-weighted centre rounds to (14, 14); the rest is cut. */
  private static Operand<TInt32> centreOfMassInField(Ops tf, Operand<TInt32> digit) {
    Operand<TInt32> size = tf.shape(digit);
    Operand<TInt32> h = tf.gather(size, tf.constant(0), tf.constant(0));
    Operand<TInt32> w = tf.gather(size, tf.constant(1), tf.constant(0));
    Operand<TFloat64> v = tf.dtypes.cast(digit, TFloat64.class);
    Operand<TFloat64> mass = tf.sum(v, tf.constant(new int[] {0, 1}));
    Operand<TFloat64> y = tf.expandDims(tf.dtypes.cast(tf.range(tf.constant(0), h, tf.constant(1)), TFloat64.class),
        tf.constant(1));
    Operand<TFloat64> x = tf.expandDims(tf.dtypes.cast(tf.range(tf.constant(0), w, tf.constant(1)), TFloat64.class),
        tf.constant(0));
    Operand<TFloat64> rows = tf.sum(tf.math.mul(v, y), tf.constant(new int[] {0, 1}));
    Operand<TFloat64> cols = tf.sum(tf.math.mul(v, x), tf.constant(new int[] {0, 1}));
    Operand<TBool> some = tf.math.greater(mass, tf.constant(0.0));
    Operand<TFloat64> one = tf.constant(1.0);
    // Java's Math.round(NaN) is 0: a digit without mass goes to (0, 0)
    Operand<TInt32> top = tf.select(some, roundHalfUp(tf, tf.math.sub(tf.constant(CENTRE),
        tf.math.div(rows, tf.select(some, mass, one)))), tf.constant(0));
    Operand<TInt32> left = tf.select(some, roundHalfUp(tf, tf.math.sub(tf.constant(CENTRE),
        tf.math.div(cols, tf.select(some, mass, one)))), tf.constant(0));
    Operand<TInt32> margin = tf.constant(MARGIN);
    Operand<TInt32> padTop = tf.math.add(top, margin);
    Operand<TInt32> padLeft = tf.math.add(left, margin);
    Operand<TInt32> canvas = tf.constant(FIELD + 2 * MARGIN);
    Operand<TInt32> paddings = tf.stack(List.of(
        tf.stack(List.of(padTop, tf.math.sub(tf.math.sub(canvas, padTop), h))),
        tf.stack(List.of(padLeft, tf.math.sub(tf.math.sub(canvas, padLeft), w)))));
    Operand<TInt32> padded = tf.pad(digit, paddings, tf.constant(0));
    return tf.slice(padded, tf.constant(new int[] {MARGIN, MARGIN}), tf.constant(new int[] {FIELD, FIELD}));
  }

  /** {@code Math.round}: {@code floor(x + 0.5)}. */
  private static Operand<TInt32> roundHalfUp(Ops tf, Operand<TFloat64> x) {
    return tf.dtypes.cast(tf.math.floor(tf.math.add(x, tf.constant(0.5))), TInt32.class);
  }
}
