package io.convnet.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.Arrays;

/**
 * 8-bit RGB pixels, row-major and interleaved ({@code R,G,B,R,G,B,...}): the one pixel format that
 * decoding, resizing, the decode-cache and augmentation share. The array is exposed, not copied, for
 * speed; treat images as immutable once built.
 */
public record RgbImage(int width, int height, byte[] pixels) {

  public RgbImage {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
    }
    if (pixels.length != width * height * 3) {
      throw new IllegalArgumentException(
          "a " + width + "x" + height + " RGB image needs " + width * height * 3 + " bytes, got " + pixels.length);
    }
  }

  public static RgbImage blank(int width, int height) {
    return new RgbImage(width, height, new byte[width * height * 3]);
  }

  /** Converts any decoded image: grayscale replicated, alpha composited on white, 16-bit scaled to 8-bit. */
  public static RgbImage of(BufferedImage image) {
    return RgbConversion.toRgb(image);
  }

  /** Channel {@code c} (0 red, 1 green, 2 blue) at column {@code x}, row {@code y}, as 0..255. */
  public int get(int x, int y, int c) {
    return pixels[(y * width + x) * 3 + c] & 0xff;
  }

  /** {@code 0xRRGGBB} at column {@code x}, row {@code y}. */
  public int rgb(int x, int y) {
    int i = (y * width + x) * 3;
    return (pixels[i] & 0xff) << 16 | (pixels[i + 1] & 0xff) << 8 | (pixels[i + 2] & 0xff);
  }

  public void set(int x, int y, int rgb) {
    int i = (y * width + x) * 3;
    pixels[i] = (byte) (rgb >>> 16);
    pixels[i + 1] = (byte) (rgb >>> 8);
    pixels[i + 2] = (byte) rgb;
  }

  /** A {@code TYPE_3BYTE_BGR} copy, e.g. to write a PNG with ImageIO. */
  public BufferedImage toBufferedImage() {
    BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
    byte[] bgr = ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
    for (int i = 0; i < pixels.length; i += 3) {
      bgr[i] = pixels[i + 2];
      bgr[i + 1] = pixels[i + 1];
      bgr[i + 2] = pixels[i];
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RgbImage other
        && width == other.width
        && height == other.height
        && Arrays.equals(pixels, other.pixels);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * width + height) + Arrays.hashCode(pixels);
  }

  @Override
  public String toString() {
    return "RgbImage[" + width + "x" + height + "]";
  }
}
