package io.convnet.viz;

/** Regularizer arithmetic on batches of interleaved HWC float images of {@code channels} channels (3, or 1). */
final class ImageOps {
  private ImageOps() {}

  /** Cyclic shift of each image by (dy, dx): out[(y + dy) mod h][(x + dx) mod w] = in[y][x]. */
  static void roll(float[] in, float[] out, int n, int h, int w, int channels, int dy, int dx) {
    int plane = h * w * channels;
    for (int i = 0; i < n; i++) {
      int base = i * plane;
      for (int y = 0; y < h; y++) {
        int ty = Math.floorMod(y + dy, h);
        for (int x = 0; x < w; x++) {
          int tx = Math.floorMod(x + dx, w);
          System.arraycopy(in, base + (y * w + x) * channels, out, base + (ty * w + tx) * channels, channels);
        }
      }
    }
  }

  /** Root mean square of image {@code i}'s values. */
  static double rms(float[] x, int i, int plane) {
    double sum = 0;
    for (int j = i * plane, end = j + plane; j < end; j++) {
      sum += (double) x[j] * x[j];
    }
    return Math.sqrt(sum / plane);
  }

  /**
   * Adds {@code -weight * d/dx TV(x / range)} to {@code dir} for squared total variation
   * {@code TV = sum (x[y+1][x] - x[y][x])^2 + (x[y][x+1] - x[y][x])^2}: the discrete Laplacian, with
   * only the neighbours that exist at the border.
   */
  static void addTotalVariationGradient(float[] x, float[] dir, int n, int h, int w, PixelSpace space,
      double weight) {
    int channels = space.channels();
    int plane = h * w * channels;
    for (int i = 0; i < n; i++) {
      int base = i * plane;
      for (int y = 0; y < h; y++) {
        for (int xx = 0; xx < w; xx++) {
          int p = base + (y * w + xx) * channels;
          for (int c = 0; c < channels; c++) {
            float v = x[p + c];
            double g = 0;
            if (y > 0) {
              g += v - x[p + c - w * channels];
            }
            if (y < h - 1) {
              g += v - x[p + c + w * channels];
            }
            if (xx > 0) {
              g += v - x[p + c - channels];
            }
            if (xx < w - 1) {
              g += v - x[p + c + channels];
            }
            dir[p + c] -= (float) (weight * 2 * g / space.range(c));
          }
        }
      }
    }
  }

  /** Gaussian blur of each channel of each image in place; edges clamp. */
  static void gaussianBlur(float[] x, int n, int h, int w, int channels, double sigma) {
    if (sigma <= 0) {
      return;
    }
    int radius = Math.max(1, (int) Math.ceil(3 * sigma));
    float[] k = new float[2 * radius + 1];
    double sum = 0;
    for (int i = -radius; i <= radius; i++) {
      k[i + radius] = (float) Math.exp(-(i * i) / (2 * sigma * sigma));
      sum += k[i + radius];
    }
    for (int i = 0; i < k.length; i++) {
      k[i] /= (float) sum;
    }
    int plane = h * w * channels;
    float[] tmp = new float[plane];
    for (int i = 0; i < n; i++) {
      int base = i * plane;
      for (int y = 0; y < h; y++) {  // horizontal into tmp
        for (int xx = 0; xx < w; xx++) {
          for (int c = 0; c < channels; c++) {
            float acc = 0;
            for (int j = -radius; j <= radius; j++) {
              int sx = Math.min(w - 1, Math.max(0, xx + j));
              acc += k[j + radius] * x[base + (y * w + sx) * channels + c];
            }
            tmp[(y * w + xx) * channels + c] = acc;
          }
        }
      }
      for (int y = 0; y < h; y++) {  // vertical back into x
        for (int xx = 0; xx < w; xx++) {
          for (int c = 0; c < channels; c++) {
            float acc = 0;
            for (int j = -radius; j <= radius; j++) {
              int sy = Math.min(h - 1, Math.max(0, y + j));
              acc += k[j + radius] * tmp[(sy * w + xx) * channels + c];
            }
            x[base + (y * w + xx) * channels + c] = acc;
          }
        }
      }
    }
  }

  /** Bilinear resize of a single-channel map (half-pixel centres, edges clamp). */
  static float[] resize(float[] map, int w, int h, int outW, int outH) {
    float[] out = new float[outW * outH];
    for (int y = 0; y < outH; y++) {
      double sy = Math.max(0, Math.min(h - 1, (y + 0.5) * h / outH - 0.5));
      int y0 = (int) sy;
      int y1 = Math.min(h - 1, y0 + 1);
      double fy = sy - y0;
      for (int x = 0; x < outW; x++) {
        double sx = Math.max(0, Math.min(w - 1, (x + 0.5) * w / outW - 0.5));
        int x0 = (int) sx;
        int x1 = Math.min(w - 1, x0 + 1);
        double fx = sx - x0;
        double top = map[y0 * w + x0] * (1 - fx) + map[y0 * w + x1] * fx;
        double bottom = map[y1 * w + x0] * (1 - fx) + map[y1 * w + x1] * fx;
        out[y * outW + x] = (float) (top * (1 - fy) + bottom * fy);
      }
    }
    return out;
  }
}
