package io.convnet.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;

/** Bit-exact comparison of large float arrays (AssertJ's containsExactly is quadratic on millions of values). */
public final class FloatArrays {
  private FloatArrays() {}

  public static void assertIdentical(String what, float[] actual, float[] expected) {
    assertThat(actual.length).as(what + " length").isEqualTo(expected.length);
    int mismatch = Arrays.mismatch(actual, expected);
    if (mismatch >= 0) {
      assertThat(actual[mismatch]).as(what + " at index " + mismatch).isEqualTo(expected[mismatch]);
    }
  }
}
