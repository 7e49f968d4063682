package io.convnet.viz;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A convolution kernel held exactly: integer-or-decimal numerators over an integer divisor, so
 * {@code box-blur} is exactly ones / 9 (not 0.111...) and a custom kernel is exactly the doubles given.
 *
 * @param name a classic kernel's name, or {@code custom}
 * @param numerators rows x cols, exact
 * @param divisor every weight is {@code numerator / divisor}
 */
public record Kernel(String name, BigDecimal[][] numerators, int divisor) {

  /** The classic kernels (Wikipedia, "Kernel (image processing)", three edge detectors included). */
  private static final Map<String, Kernel> CLASSIC = new LinkedHashMap<>();

  static {
    classic("identity", 1, new long[][] {{0, 0, 0}, {0, 1, 0}, {0, 0, 0}});
    classic("edge1", 1, new long[][] {{1, 0, -1}, {0, 0, 0}, {-1, 0, 1}});
    classic("edge2", 1, new long[][] {{0, 1, 0}, {1, -4, 1}, {0, 1, 0}});
    classic("edge3", 1, new long[][] {{-1, -1, -1}, {-1, 8, -1}, {-1, -1, -1}});
    classic("sharpen", 1, new long[][] {{0, -1, 0}, {-1, 5, -1}, {0, -1, 0}});
    classic("box-blur", 9, new long[][] {{1, 1, 1}, {1, 1, 1}, {1, 1, 1}});
    classic("gaussian-blur", 16, new long[][] {{1, 2, 1}, {2, 4, 2}, {1, 2, 1}});
    classic("sobel-x", 1, new long[][] {{1, 0, -1}, {2, 0, -2}, {1, 0, -1}});
    classic("sobel-y", 1, new long[][] {{1, 2, 1}, {0, 0, 0}, {-1, -2, -1}});
  }

  /** Largest custom kernel side. */
  public static final int MAX_SIDE = 15;

  public Kernel {
    if (numerators.length == 0 || numerators[0].length == 0) {
      throw new IllegalArgumentException("the kernel is empty");
    }
    if (divisor <= 0) {
      throw new IllegalArgumentException("kernel divisor must be positive");
    }
  }

  private static void classic(String name, int divisor, long[][] values) {
    BigDecimal[][] n = new BigDecimal[values.length][];
    for (int r = 0; r < values.length; r++) {
      n[r] = Arrays.stream(values[r]).mapToObj(BigDecimal::valueOf).toArray(BigDecimal[]::new);
    }
    CLASSIC.put(name, new Kernel(name, n, divisor));
  }

  public static List<String> names() {
    return List.copyOf(CLASSIC.keySet());
  }

  /** A classic kernel by name (case-insensitive); IllegalArgumentException listing the names. */
  public static Kernel named(String name) {
    Kernel k = name == null ? null : CLASSIC.get(name.trim().toLowerCase(Locale.ROOT));
    if (k == null) {
      throw new IllegalArgumentException("unknown kernel '" + name + "'; known: " + String.join(", ", names())
          + ", or a matrix of numbers");
    }
    return k;
  }

  /** A custom kernel: exactly these (finite) doubles, at most {@link #MAX_SIDE} a side. */
  public static Kernel custom(double[][] weights) {
    Matrices.requireRectangular(weights, "kernel");
    if (weights.length > MAX_SIDE || weights[0].length > MAX_SIDE) {
      throw new IllegalArgumentException("the kernel is " + weights.length + "x" + weights[0].length
          + "; at most " + MAX_SIDE + "x" + MAX_SIDE);
    }
    BigDecimal[][] n = new BigDecimal[weights.length][];
    for (int r = 0; r < weights.length; r++) {
      n[r] = Arrays.stream(weights[r]).mapToObj(BigDecimal::new).toArray(BigDecimal[]::new);
    }
    return new Kernel("custom", n, 1);
  }

  public int rows() {
    return numerators.length;
  }

  public int cols() {
    return numerators[0].length;
  }

  /** The weights as doubles (nearest to the exact values), for display. */
  public double[][] weights() {
    double[][] w = new double[rows()][cols()];
    for (int r = 0; r < rows(); r++) {
      for (int c = 0; c < cols(); c++) {
        w[r][c] = Exact.toDouble(numerators[r][c], divisor);
      }
    }
    return w;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Kernel k && name.equals(k.name) && divisor == k.divisor
        && Arrays.deepEquals(numerators, k.numerators);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.deepHashCode(numerators);
  }

  @Override
  public String toString() {
    return name + Arrays.deepToString(weights());
  }
}
