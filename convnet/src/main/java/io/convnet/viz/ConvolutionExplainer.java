package io.convnet.viz;

import io.convnet.image.Resize;
import io.convnet.image.RgbImage;
import java.awt.image.BufferedImage;
import java.math.BigDecimal;
import java.util.List;
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
  /** An image is shrunk to fit this side before its luma becomes the input matrix. */
  public static final int MAX_IMAGE_SIDE = 256;

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

  /** An image's explanation: the luma matrix it used (0..255) and the maps. */
  public record ImageExplanation(double[][] luma, Explanation explanation) {}

  /**
   * The same on an image: shrunk (bilinear) to fit {@link #MAX_IMAGE_SIDE} if larger, then its luma
   * {@code Y = 0.299 R + 0.587 G + 0.114 B} (ITU-R BT.601, on 0..255, an exact decimal) is the input.
   */
  public static ImageExplanation explainImage(RgbImage image, Kernel kernel, int stride, Padding padding) {
    RgbImage img = image;
    int side = Math.max(image.width(), image.height());
    if (side > MAX_IMAGE_SIDE) {
      double s = (double) MAX_IMAGE_SIDE / side;
      img = Resize.bilinear(image, Math.max(1, (int) Math.round(image.width() * s)),
          Math.max(1, (int) Math.round(image.height() * s)));
    }
    BigDecimal[][] exact = new BigDecimal[img.height()][img.width()];
    double[][] luma = new double[img.height()][img.width()];
    for (int y = 0; y < img.height(); y++) {
      for (int x = 0; x < img.width(); x++) {
        long thousandths = 299L * img.get(x, y, 0) + 587L * img.get(x, y, 1) + 114L * img.get(x, y, 2);
        exact[y][x] = BigDecimal.valueOf(thousandths, 3);
        luma[y][x] = exact[y][x].doubleValue();
      }
    }
    if (stride < 1 || stride > MAX_STRIDE) {
      throw new IllegalArgumentException("stride must be 1.." + MAX_STRIDE + ", not " + stride);
    }
    if (kernel.rows() > img.height() || kernel.cols() > img.width()) {
      throw new IllegalArgumentException("the kernel (" + kernel.rows() + "x" + kernel.cols()
          + ") is larger than the image (" + img.height() + "x" + img.width() + ")");
    }
    return new ImageExplanation(luma, explainExact(exact, kernel, stride, padding));
  }

  /**
   * Four panels in gray: the input, the feature map (its minimum black, maximum white), the rectified
   * map and the pooled map (0 black, maximum white); pixels enlarged to a common height.
   */
  public static BufferedImage render(String title, double[][] input, Explanation e) {
    int tile = Math.max(128, Math.min(512, Math.max(input.length, input[0].length)));
    List<Rendering.Tile> tiles = List.of(
        new Rendering.Tile(gray(input, false), List.of("input " + input.length + "x" + input[0].length)),
        new Rendering.Tile(gray(e.featureMap(), false), List.of("feature map " + shape(e.featureMap()))),
        new Rendering.Tile(gray(e.rectified(), true), List.of("ReLU " + shape(e.rectified()))),
        new Rendering.Tile(gray(e.pooled(), true), List.of("max pool 2x2/2 " + shape(e.pooled()))));
    String line = String.format(Locale.ROOT, "%s - kernel %s, stride %d, padding %s", title, e.kernel().name(),
        e.stride(), e.padding().id());
    return Rendering.grid(line, List.of(new Rendering.Row(List.of(), tiles)), tile);
  }

  private static String shape(double[][] m) {
    return m.length + "x" + m[0].length;
  }

  private static BufferedImage gray(double[][] m, boolean fromZero) {
    double lo = fromZero ? 0 : Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (double[] r : m) {
      for (double v : r) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    BufferedImage out = new BufferedImage(m[0].length, m.length, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < m.length; y++) {
      for (int x = 0; x < m[0].length; x++) {
        int g = hi > lo ? (int) Math.round((m[y][x] - lo) / (hi - lo) * 255) : 0;
        out.setRGB(x, y, g << 16 | g << 8 | g);
      }
    }
    return out;
  }
}
