package io.convnet.viz;

/** Viridis (matplotlib's perceptually uniform colormap), interpolated between its tenths. */
public final class Colormap {
  private static final int[] VIRIDIS_TENTHS = {
      0x440154, 0x482475, 0x414487, 0x355F8D, 0x2A788E, 0x21918C, 0x22A884, 0x44BF70, 0x7AD151, 0xBDDF26, 0xFDE725};
  private static final int[] LUT = new int[256];

  static {
    for (int i = 0; i < 256; i++) {
      double t = i / 255.0 * 10;
      int k = Math.min(9, (int) t);
      double f = t - k;
      int a = VIRIDIS_TENTHS[k];
      int b = VIRIDIS_TENTHS[k + 1];
      int r = (int) Math.round(((a >> 16) & 0xff) * (1 - f) + ((b >> 16) & 0xff) * f);
      int g = (int) Math.round(((a >> 8) & 0xff) * (1 - f) + ((b >> 8) & 0xff) * f);
      int bl = (int) Math.round((a & 0xff) * (1 - f) + (b & 0xff) * f);
      LUT[i] = r << 16 | g << 8 | bl;
    }
  }

  private Colormap() {}

  /** {@code 0xRRGGBB} for {@code v} in [0, 1] (clamped). */
  public static int viridis(double v) {
    int i = (int) Math.round(Math.max(0, Math.min(1, v)) * 255);
    return LUT[i];
  }
}
