package io.convnet.viz;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/** Exact decimal arithmetic for the explainers: doubles are exact binary fractions, so is their sum. */
final class Exact {
  /** Far more digits than a double holds: the final rounding to double is the only one that matters. */
  private static final MathContext WIDE = new MathContext(100, RoundingMode.HALF_EVEN);

  private Exact() {}

  /** {@code numerator / divisor} rounded to the nearest double. */
  static double toDouble(BigDecimal numerator, int divisor) {
    return divisor == 1 ? numerator.doubleValue() : numerator.divide(BigDecimal.valueOf(divisor), WIDE).doubleValue();
  }

  /** The exact value of a double ({@code BigDecimal.valueOf} would go through its shortest decimal string). */
  static BigDecimal of(double v) {
    return new BigDecimal(v);
  }
}
