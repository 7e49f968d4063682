package io.convnet.image;

/**
 * Resizing with a triangle (bilinear) filter whose support widens with the shrink factor: plain
 * bilinear interpolation (half-pixel centres) when enlarging or shrinking little, and a weighted area
 * average when shrinking a lot, so a 4000x3000 upload shrunk to 150x150 does not alias. This is
 * Pillow's {@code Image.resize(..., BILINEAR)} (and TensorFlow's {@code resize(antialias=True)}).
 *
 * <p>Separable: a horizontal then a vertical pass with precomputed taps, float accumulation, one
 * rounding to 8 bits at the end. Stateless and thread-safe.
 */
public final class Resize {
  private Resize() {}

  public static RgbImage bilinear(RgbImage src, int width, int height) {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("target size must be positive, got " + width + "x" + height);
    }
    if (src.width() == width && src.height() == height) {
      return src;
    }
    Taps xTaps = Taps.of(src.width(), width);
    Taps yTaps = Taps.of(src.height(), height);
    float[] rows = horizontal(src, xTaps);
    return vertical(rows, width, yTaps, height);
  }

  /** Resizes every row to {@code taps.size} columns: {@code src.height x taps.size x 3} floats. */
  private static float[] horizontal(RgbImage src, Taps taps) {
    byte[] p = src.pixels();
    int inStride = src.width() * 3;
    int outW = taps.size;
    float[] row = new float[inStride];
    float[] out = new float[src.height() * outW * 3];
    int o = 0;
    for (int y = 0, rowStart = 0; y < src.height(); y++, rowStart += inStride) {
      for (int i = 0; i < inStride; i++) {
        row[i] = p[rowStart + i] & 0xff;
      }
      for (int x = 0; x < outW; x++, o += 3) {
        int k = taps.offset[x];
        int end = k + taps.count[x];
        float r = 0;
        float g = 0;
        float b = 0;
        for (int i = taps.first[x] * 3; k < end; k++, i += 3) {
          float w = taps.weight[k];
          r += w * row[i];
          g += w * row[i + 1];
          b += w * row[i + 2];
        }
        out[o] = r;
        out[o + 1] = g;
        out[o + 2] = b;
      }
    }
    return out;
  }

  private static RgbImage vertical(float[] rows, int width, Taps taps, int height) {
    int stride = width * 3;
    byte[] out = new byte[height * stride];
    float[] acc = new float[stride];
    for (int y = 0; y < height; y++) {
      int k = taps.offset[y];
      int end = k + taps.count[y];
      int i = taps.first[y] * stride;
      float w0 = taps.weight[k];
      for (int j = 0; j < stride; j++) {
        acc[j] = w0 * rows[i + j];
      }
      for (k++, i += stride; k < end; k++, i += stride) {
        float w = taps.weight[k];
        for (int j = 0; j < stride; j++) {
          acc[j] += w * rows[i + j];
        }
      }
      int o = y * stride;
      for (int j = 0; j < stride; j++) {
        out[o + j] = (byte) clamp8(acc[j]);
      }
    }
    return new RgbImage(width, height, out);
  }

  /** Rounds a non-negative sum of non-negative weights times 0..255 to 0..255. */
  static int clamp8(float v) {
    int i = (int) (v + 0.5f);
    return Math.min(i, 255);
  }

  /** For each output index: the first input index and the normalised weights of the inputs it reads. */
  private static final class Taps {
    final int size;
    final int[] first;
    final int[] count;
    final int[] offset;
    final float[] weight;

    private Taps(int size, int[] first, int[] count, int[] offset, float[] weight) {
      this.size = size;
      this.first = first;
      this.count = count;
      this.offset = offset;
      this.weight = weight;
    }

    static Taps of(int inSize, int outSize) {
      double scale = (double) inSize / outSize;
      double filterScale = Math.max(1.0, scale);
      double support = filterScale; // the triangle filter's radius is 1 input pixel, widened when shrinking
      int maxTaps = (int) Math.ceil(support) * 2 + 1;
      int[] first = new int[outSize];
      int[] count = new int[outSize];
      int[] offset = new int[outSize];
      float[] weight = new float[outSize * maxTaps];
      double[] w = new double[maxTaps];
      int k = 0;
      for (int o = 0; o < outSize; o++) {
        double centre = (o + 0.5) * scale;
        int min = Math.max(0, (int) (centre - support + 0.5));
        int max = Math.min(inSize, (int) (centre + support + 0.5));
        double sum = 0;
        int n = 0;
        for (int i = min; i < max && n < maxTaps; i++, n++) {
          double d = Math.abs((i - centre + 0.5) / filterScale);
          w[n] = d < 1 ? 1 - d : 0;
          sum += w[n];
        }
        // Drop zero-weight taps at both ends so identity-like mappings copy exactly.
        int lo = 0;
        while (lo < n - 1 && w[lo] == 0) {
          lo++;
        }
        int hi = n;
        while (hi > lo + 1 && w[hi - 1] == 0) {
          hi--;
        }
        first[o] = min + lo;
        count[o] = hi - lo;
        offset[o] = k;
        for (int i = lo; i < hi; i++) {
          weight[k++] = (float) (sum > 0 ? w[i] / sum : 1.0 / (hi - lo));
        }
      }
      return new Taps(outSize, first, count, offset, weight);
    }
  }
}
