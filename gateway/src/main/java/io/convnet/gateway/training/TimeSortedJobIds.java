package io.convnet.gateway.training;

import java.security.SecureRandom;
import java.util.Locale;

/**
 * Job ids that sort by submission time: milliseconds in base 36 (9 digits, good for millennia)
 * and 8 random base-36 characters, e.g. {@code m9x2k7q1z-4f8k2m0a}. Safe in paths and URLs.
 */
final class TimeSortedJobIds {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz";

  private TimeSortedJobIds() {
  }

  static String next(long nowMs) {
    String time = Long.toString(nowMs, 36).toLowerCase(Locale.ROOT);
    StringBuilder id = new StringBuilder("0".repeat(Math.max(0, 9 - time.length()))).append(time).append('-');
    for (int i = 0; i < 8; i++) {
      id.append(DIGITS.charAt(RANDOM.nextInt(DIGITS.length())));
    }
    return id.toString();
  }
}
