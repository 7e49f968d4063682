package io.convnet.data;

/**
 * A small, fully specified random generator (SplitMix64), so batches are reproducible across runs,
 * threads and JDK versions. Derive one per unit of work with {@link #of(long...)} (e.g. seed, epoch,
 * image index) instead of sharing one generator between threads: the order in which threads draw
 * then cannot change the result.
 */
public final class SeededRandom {
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  private long state;

  public SeededRandom(long seed) {
    this.state = seed;
  }

  /** A generator determined by all the keys, in order. */
  public static SeededRandom of(long... keys) {
    long h = 0x243F6A8885A308D3L;
    for (long key : keys) {
      h = mix(h ^ mix(key + GOLDEN));
    }
    return new SeededRandom(h);
  }

  public long nextLong() {
    state += GOLDEN;
    return mix(state);
  }

  /** Uniform in [0, 1). */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Uniform in [lo, hi). */
  public double uniform(double lo, double hi) {
    return lo + (hi - lo) * nextDouble();
  }

  public boolean nextBoolean() {
    return nextLong() < 0;
  }

  /** Uniform in [0, bound), without modulo bias. */
  public int nextInt(int bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be positive, got " + bound);
    }
    // java.util.Random's rejection sampling on 31 bits
    int u = (int) (nextLong() >>> 33);
    int r = u % bound;
    while (u - r + (bound - 1) < 0) {
      u = (int) (nextLong() >>> 33);
      r = u % bound;
    }
    return r;
  }

  /** Fisher-Yates shuffle in place. */
  public void shuffle(int[] values) {
    for (int i = values.length - 1; i > 0; i--) {
      int j = nextInt(i + 1);
      int t = values[i];
      values[i] = values[j];
      values[j] = t;
    }
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
