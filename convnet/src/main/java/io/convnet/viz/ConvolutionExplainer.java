package io.convnet.viz;

import java.math.BigDecimal;
import java.util.Locale;

/**
 * The convolution explainer: one kernel over one matrix, then ReLU, then 2x2 max pooling with stride 2,
 * as a CNN layer does, in exact arithmetic (no TensorFlow, no float rounding in between).
 *
 * <ul>
 *   <li>Convolution is what TensorFlow and Keras compute: cross-correlation (the kernel is not flipped;
 *       for the symmetric classic kernels that is the same thing), zero padding.
 *   <li>{@code valid}: no padding; output side {@code floor((n - k) / s) + 1}.
 *   <li>{@code same} (TensorFlow's rule, also for stride > 1): output side {@code ceil(n / s)}; the
 *       padding needed, {@code max((out - 1) * s + k - n, 0)}, is split with the smaller half before
 *       (top/left) and the larger after (bottom/right).
 *   <li>Every output value is the exact sum of products, divided once by the kernel's divisor and
 *       rounded once to the nearest double.
 *   <li>Pooling runs on the rectified map with ceil mode: output side {@code ceil(n / 2)}; a window
 *       hanging over the border takes the maximum of the values it covers.
 * </ul>
 */
public final class ConvolutionExplainer {
  public static final int MAX_STRIDE = 16;

  private ConvolutionExplainer() {}

  public enum Padding {
    VALID, SAME;

    /** "valid" or "same", case-insensitive; empty means valid. */
    public static Padding parse(String s) {
      if (s == null || s.isBlank()) {
        return VALID;
      }
      return switch (s.trim().toLowerCase(Locale.ROOT)) {
        case "valid" -> VALID;
        case "same" -> SAME;
        default -> throw new IllegalArgumentException("padding must be 'valid' or 'same', not '" + s + "'");
      };
    }

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Padding added on each side; zero everywhere for valid. */
  public record Pads(int top, int bottom, int left, int right) {}

  /** What the explainer returns: the three maps and how the convolution was laid out. */
  public record Explanation(Kernel kernel, int stride, Padding padding, Pads pads, double[][] featureMap,
      double[][] rectified, double[][] pooled) {}

  public static Explanation explain(double[][] input, Kernel kernel, int stride, Padding padding) {
    Matrices.requireRectangular(input, "input");
    int rows = input.length;
    int cols = input[0].length;
    if (rows > Matrices.MAX_SIDE || cols > Matrices.MAX_SIDE) {
      throw new IllegalArgumentException("the input is " + rows + "x" + cols + "; at most " + Matrices.MAX_SIDE
          + " a side");
    }
    if (stride < 1 || stride > MAX_STRIDE) {
      throw new IllegalArgumentException("stride must be 1.." + MAX_STRIDE + ", not " + stride);
    }
    if (kernel.rows() > rows || kernel.cols() > cols) {
      throw new IllegalArgumentException("the kernel (" + kernel.rows() + "x" + kernel.cols()
          + ") is larger than the input (" + rows + "x" + cols + ")");
    }
    BigDecimal[][] exact = new BigDecimal[rows][cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        exact[r][c] = Exact.of(input[r][c]);
      }
    }
    return explainExact(exact, kernel, stride, padding);
  }

  /** The same on exact values (e.g. an image's luma, which is an exact decimal). */
  static Explanation explainExact(BigDecimal[][] input, Kernel kernel, int stride, Padding padding) {
    int rows = input.length;
    int cols = input[0].length;
    int outRows = outputSide(rows, kernel.rows(), stride, padding);
    int outCols = outputSide(cols, kernel.cols(), stride, padding);
    int padRows = padding == Padding.SAME ? Math.max((outRows - 1) * stride + kernel.rows() - rows, 0) : 0;
    int padCols = padding == Padding.SAME ? Math.max((outCols - 1) * stride + kernel.cols() - cols, 0) : 0;
    Pads pads = new Pads(padRows / 2, padRows - padRows / 2, padCols / 2, padCols - padCols / 2);
    double[][] feature = new double[outRows][outCols];
    BigDecimal[][] k = kernel.numerators();
    for (int orow = 0; orow < outRows; orow++) {
      for (int ocol = 0; ocol < outCols; ocol++) {
        BigDecimal sum = BigDecimal.ZERO;
        int top = orow * stride - pads.top();
        int left = ocol * stride - pads.left();
        for (int i = 0; i < kernel.rows(); i++) {
          int r = top + i;
          if (r < 0 || r >= rows) {
            continue; // zero padding
          }
          for (int j = 0; j < kernel.cols(); j++) {
            int c = left + j;
            if (c >= 0 && c < cols && k[i][j].signum() != 0) {
              sum = sum.add(input[r][c].multiply(k[i][j]));
            }
          }
        }
        feature[orow][ocol] = Exact.toDouble(sum, kernel.divisor());
      }
    }
    double[][] rectified = relu(feature);
    return new Explanation(kernel, stride, padding, pads, feature, rectified, maxPool(rectified, 2, 2));
  }

  /** Output side of a convolution, TensorFlow's formulas; IllegalArgumentException when it would be empty. */
  public static int outputSide(int n, int k, int stride, Padding padding) {
    if (padding == Padding.SAME) {
      return (n + stride - 1) / stride;
    }
    if (k > n) {
      throw new IllegalArgumentException("a " + k + "-wide kernel does not fit a " + n + "-wide input without padding");
    }
    return (n - k) / stride + 1;
  }

  public static double[][] relu(double[][] m) {
    double[][] out = new double[m.length][];
    for (int r = 0; r < m.length; r++) {
      out[r] = new double[m[r].length];
      for (int c = 0; c < m[r].length; c++) {
        // max(0, x), with -0.0 shown as 0
        out[r][c] = m[r][c] > 0 ? m[r][c] : 0.0;
      }
    }
    return out;
  }

  /** Max pooling in ceil mode: windows over the border take the maximum of what they cover. */
  public static double[][] maxPool(double[][] m, int window, int stride) {
    int rows = m.length;
    int cols = m[0].length;
    int outRows = (rows - window + stride - 1) / stride + 1;
    int outCols = (cols - window + stride - 1) / stride + 1;
    outRows = Math.max(outRows, 1);
    outCols = Math.max(outCols, 1);
    double[][] out = new double[outRows][outCols];
    for (int orow = 0; orow < outRows; orow++) {
      for (int ocol = 0; ocol < outCols; ocol++) {
        double max = Double.NEGATIVE_INFINITY;
        for (int r = orow * stride; r < Math.min(orow * stride + window, rows); r++) {
          for (int c = ocol * stride; c < Math.min(ocol * stride + window, cols); c++) {
            max = Math.max(max, m[r][c]);
          }
        }
        out[orow][ocol] = max;
      }
    }
    return out;
  }
}
