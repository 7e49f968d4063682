package io.convnet.viz;

/** Checks on matrices that arrive from users (JSON), so that problems get a clear message. */
public final class Matrices {
  /** Largest side of an input matrix. */
  public static final int MAX_SIDE = 1024;

  private Matrices() {}

  /** Non-empty, every row as long as the first, every value finite; {@code what} names it in messages. */
  public static void requireRectangular(double[][] m, String what) {
    if (m == null || m.length == 0) {
      throw new IllegalArgumentException("the " + what + " is empty: give at least one row of numbers");
    }
    if (m[0] == null || m[0].length == 0) {
      throw new IllegalArgumentException("the " + what + "'s first row is empty");
    }
    for (int r = 0; r < m.length; r++) {
      if (m[r] == null || m[r].length != m[0].length) {
        throw new IllegalArgumentException("the " + what + " is not a matrix: row " + r + " has "
            + (m[r] == null ? 0 : m[r].length) + " values, row 0 has " + m[0].length);
      }
      for (int c = 0; c < m[r].length; c++) {
        if (!Double.isFinite(m[r][c])) {
          throw new IllegalArgumentException("the " + what + " has a non-finite value at [" + r + "][" + c + "]");
        }
      }
    }
  }

  /** Row-major values of a rows x cols matrix, as they travel on the wire. */
  public static double[][] of(int rows, int cols, double[] values, String what) {
    if (rows <= 0 || cols <= 0) {
      throw new IllegalArgumentException("the " + what + " is empty (" + rows + "x" + cols + ")");
    }
    if ((long) rows * cols != values.length) {
      throw new IllegalArgumentException("the " + what + " is " + rows + "x" + cols + " but has " + values.length
          + " values");
    }
    double[][] m = new double[rows][cols];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(values, r * cols, m[r], 0, cols);
    }
    requireRectangular(m, what);
    return m;
  }
}
