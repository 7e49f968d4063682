package io.convnet.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * Decoded {@link BufferedImage} of any layout -> 8-bit RGB.
 *
 * <p>Grayscale and 16-bit samples are read raw from the raster and scaled, never converted through
 * Java2D's colour management: Java treats PNG/JPEG gray as linear and would brighten it, where every
 * browser and Pillow (and so Keras) take the stored values as they are. Alpha is composited on white,
 * the way a browser shows a transparent image on a white page (Pillow's {@code convert('RGB')}, used
 * by Keras, drops alpha instead and shows whatever colour the transparent pixels happen to carry).
 */
final class RgbConversion {
  private RgbConversion() {}

  static RgbImage toRgb(BufferedImage image) {
    ColorModel cm = image.getColorModel();
    Raster raster = image.getRaster();
    if (cm instanceof ComponentColorModel && !cm.isAlphaPremultiplied()) {
      int csType = cm.getColorSpace().getType();
      int bands = raster.getNumBands();
      if (csType == ColorSpace.TYPE_GRAY && (bands == 1 || bands == 2)) {
        return fromComponents(raster, cm, bands == 2, true);
      }
      if (cm.getColorSpace().isCS_sRGB() && (bands == 3 || bands == 4)) {
        if (bands == 3 && isInterleavedBytes(raster)) {
          return fromInterleavedBytes(raster);
        }
        return fromComponents(raster, cm, bands == 4, false);
      }
    }
    if (cm instanceof IndexColorModel icm) {
      return fromIndexed(raster, icm);
    }
    return fromArgb(image);
  }

  private static boolean isInterleavedBytes(Raster raster) {
    return raster.getDataBuffer() instanceof DataBufferByte
        && raster.getDataBuffer().getNumBanks() == 1
        && raster.getSampleModel() instanceof ComponentSampleModel sm
        && sm.getPixelStride() == 3
        && raster.getSampleModelTranslateX() == 0
        && raster.getSampleModelTranslateY() == 0;
  }

  /** The fast path: JPEG's TYPE_3BYTE_BGR (or an RGB-ordered equivalent). */
  private static RgbImage fromInterleavedBytes(Raster raster) {
    ComponentSampleModel sm = (ComponentSampleModel) raster.getSampleModel();
    byte[] src = ((DataBufferByte) raster.getDataBuffer()).getData();
    int[] offsets = sm.getBandOffsets();
    int base = raster.getDataBuffer().getOffset();
    int r = offsets[0];
    int g = offsets[1];
    int b = offsets[2];
    int w = raster.getWidth();
    int h = raster.getHeight();
    int stride = sm.getScanlineStride();
    byte[] out = new byte[w * h * 3];
    int o = 0;
    for (int y = 0; y < h; y++) {
      int i = base + y * stride;
      for (int x = 0; x < w; x++, i += 3, o += 3) {
        out[o] = src[i + r];
        out[o + 1] = src[i + g];
        out[o + 2] = src[i + b];
      }
    }
    return new RgbImage(w, h, out);
  }

  /** Gray, gray+alpha, RGB or RGBA with 1..16 bits per sample, straight from the raster. */
  private static RgbImage fromComponents(Raster raster, ColorModel cm, boolean alpha, boolean gray) {
    int w = raster.getWidth();
    int h = raster.getHeight();
    int bands = raster.getNumBands();
    int colorMax = (1 << cm.getComponentSize(0)) - 1;
    int alphaMax = alpha ? (1 << cm.getComponentSize(bands - 1)) - 1 : 1;
    int[] row = new int[w * bands];
    byte[] out = new byte[w * h * 3];
    int o = 0;
    for (int y = 0; y < h; y++) {
      raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
      for (int x = 0, i = 0; x < w; x++, i += bands, o += 3) {
        int a = alpha ? to8(row[i + bands - 1], alphaMax) : 255;
        if (gray) {
          byte v = (byte) onWhite(to8(row[i], colorMax), a);
          out[o] = v;
          out[o + 1] = v;
          out[o + 2] = v;
        } else {
          out[o] = (byte) onWhite(to8(row[i], colorMax), a);
          out[o + 1] = (byte) onWhite(to8(row[i + 1], colorMax), a);
          out[o + 2] = (byte) onWhite(to8(row[i + 2], colorMax), a);
        }
      }
    }
    return new RgbImage(w, h, out);
  }

  /** Palette images (PNG colour type 3), including a tRNS transparency table. */
  private static RgbImage fromIndexed(Raster raster, IndexColorModel icm) {
    int w = raster.getWidth();
    int h = raster.getHeight();
    int[] palette = new int[icm.getMapSize()];
    icm.getRGBs(palette);
    int[] row = new int[w];
    byte[] out = new byte[w * h * 3];
    int o = 0;
    for (int y = 0; y < h; y++) {
      raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, 0, row);
      for (int x = 0; x < w; x++, o += 3) {
        int argb = palette[Math.min(row[x], palette.length - 1)];
        putArgb(out, o, argb);
      }
    }
    return new RgbImage(w, h, out);
  }

  /** Anything else (packed int layouts, non-sRGB ICC profiles): Java2D's own conversion to sRGB. */
  private static RgbImage fromArgb(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    int[] row = new int[w];
    byte[] out = new byte[w * h * 3];
    int o = 0;
    for (int y = 0; y < h; y++) {
      image.getRGB(0, y, w, 1, row, 0, w);
      for (int x = 0; x < w; x++, o += 3) {
        putArgb(out, o, row[x]);
      }
    }
    return new RgbImage(w, h, out);
  }

  private static void putArgb(byte[] out, int o, int argb) {
    int a = argb >>> 24;
    out[o] = (byte) onWhite(argb >>> 16 & 0xff, a);
    out[o + 1] = (byte) onWhite(argb >>> 8 & 0xff, a);
    out[o + 2] = (byte) onWhite(argb & 0xff, a);
  }

  /** Scales a sample of range 0..max to 0..255, rounding (16-bit: {@code round(v * 255 / 65535)}). */
  static int to8(int value, int max) {
    return max == 255 ? value : (int) ((value * 255L + max / 2) / max);
  }

  /** Composites an 8-bit colour value with 8-bit alpha over white. */
  static int onWhite(int value, int alpha) {
    return alpha == 255 ? value : (value * alpha + 255 * (255 - alpha) + 127) / 255;
  }
}
