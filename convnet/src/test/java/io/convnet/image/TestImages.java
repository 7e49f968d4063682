package io.convnet.image;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.RenderedImage;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Generated test images of every kind the decoder must handle, and small generated data sets. Shared
 * with other modules' tests through convnet's test-jar.
 */
public final class TestImages {
  private TestImages() {}

  /** {@code <convnet.datasets>/cats-vs-dogs}, or null when the property is not set. */
  public static Path catsVsDogs() {
    String root = System.getProperty("convnet.datasets");
    return root == null ? null : Paths.get(root, "cats-vs-dogs");
  }

  /** A JPEG photo of the data set ({@code relative} below cats-vs-dogs), or a drawn stand-in where there is none. */
  public static byte[] photoOrStandIn(String relative) {
    Path dataset = catsVsDogs();
    Path photo = dataset == null ? null : dataset.resolve(relative);
    try {
      return photo != null && Files.isRegularFile(photo) ? Files.readAllBytes(photo) : jpeg(stripes(60, 1, 3));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * An asymmetric pattern: red top-left, green top-right, blue bottom-left, white bottom-right
   * quadrants, so any rotation or mirror shows.
   */
  public static RgbImage quadrants(int width, int height) {
    RgbImage image = RgbImage.blank(width, height);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        boolean right = x >= width / 2;
        boolean bottom = y >= height / 2;
        image.set(x, y, bottom ? (right ? 0xffffff : 0x0000ff) : (right ? 0x00ff00 : 0xff0000));
      }
    }
    return image;
  }

  /** Pixels with distinct values everywhere: {@code r = x * 7 + y, g = y * 5 + x, b = x ^ y}. */
  public static RgbImage gradient(int width, int height) {
    RgbImage image = RgbImage.blank(width, height);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.set(x, y, ((x * 7 + y) & 0xff) << 16 | ((y * 5 + x) & 0xff) << 8 | ((x ^ y) & 0xff));
      }
    }
    return image;
  }

  public static byte[] jpeg(RgbImage image) {
    return jpeg(image.toBufferedImage(), 0.95f);
  }

  public static byte[] jpeg(RenderedImage image, float quality) {
    return write(image, quality);
  }

  /** A progressive JPEG (the JDK writer's default scan script). */
  public static byte[] progressiveJpeg(RenderedImage image) {
    return write(new IIOImage(image, null, null), param -> param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT));
  }

  public static byte[] png(RenderedImage image) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(image, "png", out)) {
        throw new IllegalStateException("no PNG writer for " + image);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  public static byte[] png(RgbImage image) {
    return png(image.toBufferedImage());
  }

  /** An 8-bit gray PNG with {@code value(x, y) = (x + y * width) % 256}. */
  public static byte[] grayPng(int width, int height) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.getRaster().setSample(x, y, 0, (x + y * width) % 256);
      }
    }
    return png(image);
  }

  /** A 16-bit gray PNG whose every sample is {@code value}. */
  public static byte[] gray16Png(int width, int height, int value) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_USHORT_GRAY);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.getRaster().setSample(x, y, 0, value);
      }
    }
    return png(image);
  }

  /** A 16-bit-per-channel RGB PNG, every pixel {@code (r, g, b)} in 0..65535. */
  public static byte[] rgb16Png(int width, int height, int r, int g, int b) {
    ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB),
        new int[] {16, 16, 16}, false, false, Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
    WritableRaster raster = cm.createCompatibleWritableRaster(width, height);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        raster.setPixel(x, y, new int[] {r, g, b});
      }
    }
    return png(new BufferedImage(cm, raster, false, null));
  }

  /** An RGBA PNG: left half opaque {@code rgb}, right half with {@code alpha} (0..255). */
  public static byte[] rgbaPng(int width, int height, int rgb, int alpha) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.setRGB(x, y, (x < width / 2 ? 0xff : alpha) << 24 | rgb);
      }
    }
    return png(image);
  }

  /** A gray+alpha PNG, every pixel gray {@code value} with {@code alpha}. */
  public static byte[] grayAlphaPng(int width, int height, int value, int alpha) {
    ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY),
        new int[] {8, 8}, true, false, Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
    WritableRaster raster = cm.createCompatibleWritableRaster(width, height);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        raster.setPixel(x, y, new int[] {value, alpha});
      }
    }
    return png(new BufferedImage(cm, raster, false, null));
  }

  /** A palette PNG: index 0 red, 1 green, 2 fully transparent; columns cycle through them. */
  public static byte[] palettePng(int width, int height) {
    IndexColorModel icm = new IndexColorModel(8, 3,
        new byte[] {(byte) 255, 0, 0}, new byte[] {0, (byte) 255, 0}, new byte[] {0, 0, 0},
        new byte[] {(byte) 255, (byte) 255, 0});
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_INDEXED, icm);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.getRaster().setSample(x, y, 0, x % 3);
      }
    }
    return png(image);
  }

  /** A gray JPEG (one component), every sample {@code value}. */
  public static byte[] grayJpeg(int width, int height, int value) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.getRaster().setSample(x, y, 0, value);
      }
    }
    return jpeg(image, 0.95f);
  }

  /** Quadrants in ink: white paper top-left, cyan top-right, black bottom-left, red (M+Y) bottom-right. */
  private static final int[][] CMYK_QUADRANTS = {{0, 0, 0, 0}, {255, 0, 0, 0}, {0, 0, 0, 255}, {0, 255, 255, 0}};

  /**
   * A 4-component Adobe JPEG (APP14 transform 0) with inverted CMYK samples, as Photoshop writes them.
   * The JDK writer stores a 4-band raster as is; the Adobe marker says how to read it.
   */
  public static byte[] cmykJpeg(int size) {
    WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, size, size, 4, null);
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        int[] ink = CMYK_QUADRANTS[(y < size / 2 ? 0 : 2) + (x < size / 2 ? 0 : 1)];
        for (int c = 0; c < 4; c++) {
          raster.setSample(x, y, c, 255 - ink[c]);
        }
      }
    }
    return withAdobeMarker(writeRaster(raster), 0);
  }

  /** The same quadrants as YCCK (APP14 transform 2): C, M, Y stored as YCbCr, K inverted. */
  public static byte[] ycckJpeg(int size) {
    WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, size, size, 4, null);
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        int[] ink = CMYK_QUADRANTS[(y < size / 2 ? 0 : 2) + (x < size / 2 ? 0 : 1)];
        double r = ink[0];
        double g = ink[1];
        double b = ink[2];
        raster.setSample(x, y, 0, clamp(0.299 * r + 0.587 * g + 0.114 * b));
        raster.setSample(x, y, 1, clamp(-0.168736 * r - 0.331264 * g + 0.5 * b + 128));
        raster.setSample(x, y, 2, clamp(0.5 * r - 0.418688 * g - 0.081312 * b + 128));
        raster.setSample(x, y, 3, 255 - ink[3]);
      }
    }
    return withAdobeMarker(writeRaster(raster), 2);
  }

  /** The JPEG with an EXIF APP1 segment carrying orientation {@code tag}, after the JFIF APP0 segment. */
  public static byte[] withExifOrientation(byte[] jpeg, int tag) {
    byte[] app1 = {
      (byte) 0xFF, (byte) 0xE1, 0, 34,
      'E', 'x', 'i', 'f', 0, 0,
      'M', 'M', 0, 42, 0, 0, 0, 8, // big-endian TIFF header, IFD0 at offset 8
      0, 1, // one entry
      0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte) tag, 0, 0, // Orientation, SHORT, count 1, value
      0, 0, 0, 0 // no next IFD
    };
    int at = 2;
    if ((jpeg[2] & 0xff) == 0xff && (jpeg[3] & 0xff) == 0xe0) {
      at = 4 + ((jpeg[4] & 0xff) << 8 | (jpeg[5] & 0xff));
    }
    return insert(jpeg, at, app1);
  }

  /**
   * A phone-sized JPEG from a real photo: {@code photo} upscaled (bicubic) to {@code width x height} and
   * written by ImageIO at {@code quality}, e.g. a data-set photo as a 4032x3024 (12 MP) upload.
   */
  public static byte[] upscaledJpeg(Path photo, int width, int height, float quality) {
    BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = out.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
      g.drawImage(readImage(photo), 0, 0, width, height, null);
    } finally {
      g.dispose();
    }
    return jpeg(out, quality);
  }

  /**
   * A JPEG of real photo detail at full resolution: {@code photos} tiled at their own size, row by row
   * (repeating as needed) over {@code width x height}. Compresses like a sharp phone photo (a 12 MP
   * mosaic of the data set's photos is about 5 MB at quality 0.95).
   */
  public static byte[] mosaicJpeg(List<Path> photos, int width, int height, float quality) {
    return mosaicJpeg(photos, 1, width, height, quality);
  }

  /**
   * The same with each photo upscaled {@code scale} times (bicubic) first: less detail per pixel, as in
   * a phone photo, whose optics and noise reduction soften it (12 MP at 2x and quality 0.92: about 2.5 MB).
   */
  public static byte[] mosaicJpeg(List<Path> photos, int scale, int width, int height, float quality) {
    BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = out.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
      int i = 0;
      for (int y = 0; y < height; ) {
        int rowHeight = 0;
        for (int x = 0; x < width; ) {
          BufferedImage tile = readImage(photos.get(i++ % photos.size()));
          int w = tile.getWidth() * scale;
          int h = tile.getHeight() * scale;
          g.drawImage(tile, x, y, w, h, null);
          x += w;
          rowHeight = Math.max(rowHeight, h);
        }
        y += rowHeight;
      }
    } finally {
      g.dispose();
    }
    return jpeg(out, quality);
  }

  /** The JPEG with an ICC profile (an APP2 {@code ICC_PROFILE} segment, one chunk) after SOI. */
  public static byte[] withIccProfile(byte[] jpeg, byte[] profile) {
    byte[] id = "ICC_PROFILE\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    int length = 2 + id.length + 2 + profile.length;
    if (length > 0xffff) {
      throw new IllegalArgumentException("profile too large for one segment: " + profile.length + " bytes");
    }
    byte[] app2 = new byte[2 + length];
    app2[0] = (byte) 0xFF;
    app2[1] = (byte) 0xE2;
    app2[2] = (byte) (length >>> 8);
    app2[3] = (byte) length;
    System.arraycopy(id, 0, app2, 4, id.length);
    app2[4 + id.length] = 1; // chunk 1
    app2[5 + id.length] = 1; // of 1
    System.arraycopy(profile, 0, app2, 6 + id.length, profile.length);
    return insert(jpeg, 2, app2);
  }

  private static BufferedImage readImage(Path file) {
    try {
      BufferedImage image = ImageIO.read(file.toFile());
      if (image == null) {
        throw new IllegalArgumentException("not an image: " + file);
      }
      return image;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The first {@code fraction} of the bytes. */
  public static byte[] truncated(byte[] data, double fraction) {
    return Arrays.copyOf(data, (int) (data.length * fraction));
  }

  /**
   * Writes {@code <dir>/<class>/<class>.<i>.jpg} images, {@code perClass} of each class: class 0 has
   * horizontal stripes, class 1 vertical stripes, class k > 1 stripes at 90/k degrees, with noise from
   * {@code i}, so a tiny model can learn them.
   */
  public static void writeDataset(Path dir, List<String> classes, int perClass, int size) {
    try {
      for (int label = 0; label < classes.size(); label++) {
        Path classDir = Files.createDirectories(dir.resolve(classes.get(label)));
        for (int i = 0; i < perClass; i++) {
          Files.write(classDir.resolve(classes.get(label) + "." + i + ".jpg"), jpeg(stripes(size, label, i)));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stripes whose direction depends on {@code label}, shifted and tinted by {@code variant}. */
  public static RgbImage stripes(int size, int label, int variant) {
    RgbImage image = RgbImage.blank(size, size);
    double angle = label <= 1 ? label * Math.PI / 2 : Math.PI / 2 / label;
    double ca = Math.cos(angle);
    double sa = Math.sin(angle);
    int tint = (variant * 37) % 64;
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        double t = (x * sa + y * ca + variant) / 4.0;
        int v = Math.floor(t) % 2 == 0 ? 200 : 40;
        image.set(x, y, (v + tint / 2) << 16 | v << 8 | Math.max(0, v - tint));
      }
    }
    return image;
  }

  private static byte[] writeRaster(Raster raster) {
    return write(new IIOImage(raster, null, null), 0.95f);
  }

  private static byte[] write(RenderedImage image, float quality) {
    return write(new IIOImage(image, null, null), quality);
  }

  private static byte[] write(IIOImage image, float quality) {
    return write(image, param -> {
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(quality);
    });
  }

  private static byte[] write(IIOImage image, Consumer<ImageWriteParam> settings) {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
      ImageWriteParam param = writer.getDefaultWriteParam();
      settings.accept(param);
      writer.setOutput(stream);
      writer.write(null, image, param);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }

  private static byte[] withAdobeMarker(byte[] jpeg, int transform) {
    byte[] app14 = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, (byte) transform};
    return insert(jpeg, 2, app14);
  }

  private static byte[] insert(byte[] data, int at, byte[] segment) {
    byte[] out = new byte[data.length + segment.length];
    System.arraycopy(data, 0, out, 0, at);
    System.arraycopy(segment, 0, out, at, segment.length);
    System.arraycopy(data, at, out, at + segment.length, data.length - at);
    return out;
  }

  private static int clamp(double v) {
    return (int) Math.max(0, Math.min(255, Math.round(v)));
  }
}
