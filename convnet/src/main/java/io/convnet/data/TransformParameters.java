package io.convnet.data;

import io.convnet.image.RgbImage;

/**
 * One image's augmentation, named as Keras' {@code transform_parameters}: an affine warp
 * (rotate · shift · shear · zoom about the image centre, mapping each output pixel back to an input
 * position, sampled bilinearly, edges extended as {@code fill_mode='nearest'}), then flips, then
 * brightness. Coordinates are (row, column) as in Keras, so {@code tx} shifts rows and {@code zx} zooms
 * rows; a positive {@code theta} turns the picture clockwise on screen.
 *
 * <p>Unlike Keras (centre {@code size / 2 + 0.5}, half a pixel off), we rotate about the true centre
 * {@code (size - 1) / 2}, so a 90 degree turn of a square image is exact.
 *
 * @param theta rotation, degrees
 * @param tx row shift, pixels (input row = output row + tx, before rotation)
 * @param ty column shift, pixels
 * @param shear shear angle, degrees
 * @param zx row zoom factor (above 1 zooms out)
 * @param zy column zoom factor
 * @param flipHorizontal mirror left-right after the warp
 * @param flipVertical mirror top-bottom after the warp
 * @param brightness factor on the 0..255 values, clipped at 255
 */
public record TransformParameters(
    double theta, double tx, double ty, double shear, double zx, double zy,
    boolean flipHorizontal, boolean flipVertical, double brightness) {

  public static TransformParameters identity() {
    return new TransformParameters(0, 0, 0, 0, 1, 1, false, false, 1);
  }

  public boolean isIdentity() {
    return !hasWarp() && !flipHorizontal && !flipVertical && brightness == 1;
  }

  private boolean hasWarp() {
    return theta != 0 || tx != 0 || ty != 0 || shear != 0 || zx != 1 || zy != 1;
  }

  /**
   * Augments {@code src} (already at the model input size) and writes it, scaled by
   * {@code preprocessing}, into {@code dst} at {@code offset}.
   */
  public void apply(RgbImage src, Preprocessing preprocessing, float[] dst, int offset) {
    if (src.width() != preprocessing.width() || src.height() != preprocessing.height()) {
      throw new IllegalArgumentException("augmentation works on the resized image: expected "
          + preprocessing.width() + "x" + preprocessing.height() + ", got " + src.width() + "x" + src.height());
    }
    if (isIdentity()) {
      preprocessing.toFloats(src, dst, offset);
      return;
    }
    int pixels = src.width() * src.height();
    if (preprocessing.channels() == 3) {
      warp(src, dst, offset);
      preprocessing.scale(dst, offset, dst, offset, pixels);
    } else {  // the RGB values need more room than the image's floats in dst
      float[] rgb = new float[pixels * 3];
      warp(src, rgb, 0);
      preprocessing.scale(rgb, 0, dst, offset, pixels);
    }
  }

  /** The augmented image as 8-bit pixels (to look at, e.g. the tutorial's preview images). */
  public RgbImage apply(RgbImage src) {
    float[] values = new float[src.pixels().length];
    warp(src, values, 0);
    byte[] out = new byte[values.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) Math.min(255, Math.round(values[i]));
    }
    return new RgbImage(src.width(), src.height(), out);
  }

  /** Writes the augmented RGB values (0..255, unscaled) into {@code dst} at {@code offset}. */
  private void warp(RgbImage src, float[] dst, int offset) {
    int h = src.height();
    int w = src.width();
    double[] m = inverseMap(h, w);
    double dr = m[1];
    double dc = m[4];
    byte[] p = src.pixels();
    float gain = (float) brightness;
    boolean scale = brightness != 1;
    int lastRow = h - 1;
    int lastCol = w - 1;
    int stride = w * 3;
    int step = flipHorizontal ? -3 : 3;
    for (int r = 0; r < h; r++) {
      double sr = m[0] * r + m[2];
      double sc = m[3] * r + m[5];
      int o = offset + (flipVertical ? lastRow - r : r) * stride + (flipHorizontal ? lastCol * 3 : 0);
      for (int c = 0; c < w; c++, sr += dr, sc += dc, o += step) {
        int fr = floor(sr);
        int fc = floor(sc);
        float wr = (float) (sr - fr);
        float wc = (float) (sc - fc);
        int row0 = clamp(fr, lastRow) * stride;
        int row1 = clamp(fr + 1, lastRow) * stride;
        int col0 = clamp(fc, lastCol) * 3;
        int col1 = clamp(fc + 1, lastCol) * 3;
        int i00 = row0 + col0;
        int i01 = row0 + col1;
        int i10 = row1 + col0;
        int i11 = row1 + col1;
        float r0 = lerp(p[i00] & 0xff, p[i01] & 0xff, p[i10] & 0xff, p[i11] & 0xff, wr, wc);
        float g0 = lerp(p[i00 + 1] & 0xff, p[i01 + 1] & 0xff, p[i10 + 1] & 0xff, p[i11 + 1] & 0xff, wr, wc);
        float b0 = lerp(p[i00 + 2] & 0xff, p[i01 + 2] & 0xff, p[i10 + 2] & 0xff, p[i11 + 2] & 0xff, wr, wc);
        if (scale) {
          r0 = Math.min(255f, r0 * gain);
          g0 = Math.min(255f, g0 * gain);
          b0 = Math.min(255f, b0 * gain);
        }
        dst[o] = r0;
        dst[o + 1] = g0;
        dst[o + 2] = b0;
      }
    }
  }

  /** Bilinear: rows weighted by {@code wr}, columns by {@code wc}; exact when both are 0. */
  private static float lerp(int v00, int v01, int v10, int v11, float wr, float wc) {
    float top = v00 + wc * (v01 - v00);
    float bottom = v10 + wc * (v11 - v10);
    return top + wr * (bottom - top);
  }

  private static int floor(double v) {
    int i = (int) v;
    return v < i ? i - 1 : i;
  }

  /**
   * The 2x3 matrix {@code [a b c; d e f]}: input (row, col) = (a r + b c + c0, d r + e c + f0) for
   * output (r, c). Keras' composition: rotation · shift · shear · zoom, conjugated by the centre shift.
   */
  double[] inverseMap(int height, int width) {
    double t = Math.toRadians(theta);
    double s = Math.toRadians(shear);
    double[] m = {Math.cos(t), -Math.sin(t), 0, Math.sin(t), Math.cos(t), 0};
    m = times(m, new double[] {1, 0, tx, 0, 1, ty});
    m = times(m, new double[] {1, -Math.sin(s), 0, 0, Math.cos(s), 0});
    m = times(m, new double[] {zx, 0, 0, 0, zy, 0});
    double cr = (height - 1) / 2.0;
    double cc = (width - 1) / 2.0;
    // centre · m · centre^-1
    return new double[] {
      m[0], m[1], m[2] + cr - m[0] * cr - m[1] * cc,
      m[3], m[4], m[5] + cc - m[3] * cr - m[4] * cc
    };
  }

  /** Product of two affine 2x3 matrices (implicit last row 0 0 1). */
  private static double[] times(double[] a, double[] b) {
    return new double[] {
      a[0] * b[0] + a[1] * b[3], a[0] * b[1] + a[1] * b[4], a[0] * b[2] + a[1] * b[5] + a[2],
      a[3] * b[0] + a[4] * b[3], a[3] * b[1] + a[4] * b[4], a[3] * b[2] + a[4] * b[5] + a[5]
    };
  }

  private static int clamp(int i, int last) {
    return i < 0 ? 0 : Math.min(i, last);
  }
}
