package io.convnet.image;

import com.twelvemonkeys.imageio.stream.ByteArrayImageInputStream;
import java.awt.image.BufferedImage;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JPEG and PNG bytes (a file or a request body) -> upright 8-bit {@link RgbImage}.
 *
 * <ul>
 *   <li>The format comes from the magic bytes, never the file name.
 *   <li>JPEG through TwelveMonkeys (CMYK and YCCK, Adobe markers, broken-but-recoverable streams), then
 *       the EXIF orientation applied. A JPEG whose data ends before the image is complete is refused as
 *       truncated instead of being padded with gray; harmless warnings (a missing EOI marker after
 *       complete data, extraneous bytes) are accepted.
 *   <li>PNG through the JDK reader: gray, gray+alpha, palette (with tRNS), RGB, RGBA, 1..16 bits.
 *   <li>Colour conversion as in {@link RgbConversion}: gray replicated, alpha composited on white,
 *       16-bit rounded to 8-bit.
 *   <li>Dimensions are checked from the header, before any pixel memory is allocated.
 * </ul>
 *
 * Thread-safe: every call uses its own reader.
 */
public final class ImageDecoder {
  private static final Logger LOG = LoggerFactory.getLogger(ImageDecoder.class);
  private static final ImageDecoder STANDARD = new ImageDecoder(Limits.DEFAULT);
  private static final ImageReaderSpi JPEG_READERS = readerProvider("jpeg", "com.twelvemonkeys");
  private static final ImageReaderSpi PNG_READERS = readerProvider("png", null);

  /**
   * What we refuse to decode.
   *
   * @param maxBytes largest encoded size
   * @param maxSide largest width or height
   * @param maxPixels largest width x height (a decompression bomb claims a huge size in a tiny file)
   */
  public record Limits(long maxBytes, int maxSide, long maxPixels) {
    /** 64 MiB, 16384 px a side, 64 megapixels (a 48 MP phone photo fits; ~200 MB while decoding). */
    public static final Limits DEFAULT = new Limits(64L << 20, 16_384, 64_000_000L);

    public Limits {
      if (maxBytes <= 0 || maxSide <= 0 || maxPixels <= 0) {
        throw new IllegalArgumentException("image limits must be positive");
      }
    }
  }

  private final Limits limits;

  public ImageDecoder(Limits limits) {
    this.limits = limits;
  }

  /** A decoder with {@link Limits#DEFAULT}. */
  public static ImageDecoder standard() {
    return STANDARD;
  }

  public Limits limits() {
    return limits;
  }

  /** Decodes a file; errors name the file path. */
  public RgbImage decode(Path file) {
    String source = file.toString();
    byte[] bytes;
    try {
      long size = Files.size(file);
      if (size == 0) {
        throw new ImageDecodeException(source, "zero-byte file");
      }
      if (size > limits.maxBytes()) {
        throw new ImageTooLargeException(source, tooLarge(size));
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ImageDecodeException(source, "no such file", e);
    } catch (IOException e) {
      throw new ImageDecodeException(source, "cannot read the file (" + e + ")", e);
    }
    return decode(bytes, source);
  }

  /**
   * Decodes encoded bytes.
   *
   * @param source names the image in error messages: a file path, or e.g. {@code "request part 'image'"}
   */
  public RgbImage decode(byte[] bytes, String source) {
    if (bytes.length == 0) {
      throw new ImageDecodeException(source, "zero-byte file");
    }
    if (bytes.length > limits.maxBytes()) {
      throw new ImageTooLargeException(source, tooLarge(bytes.length));
    }
    ImageFormat format = ImageFormat.sniff(bytes);
    if (format == null) {
      throw new ImageDecodeException(source, "not a JPEG or PNG image (" + ImageFormat.describe(bytes) + ")");
    }
    RgbImage image = RgbImage.of(read(bytes, format, source));
    return format == ImageFormat.JPEG ? ExifOrientation.apply(image, ExifOrientation.read(bytes)) : image;
  }

  private BufferedImage read(byte[] bytes, ImageFormat format, String source) {
    ImageReader reader;
    try {
      reader = (format == ImageFormat.JPEG ? JPEG_READERS : PNG_READERS).createReaderInstance();
    } catch (IOException e) {
      throw new IllegalStateException("cannot create an ImageIO reader for " + format, e);
    }
    List<String> warnings = new ArrayList<>();
    try (ImageInputStream in = new ByteArrayImageInputStream(bytes)) {
      reader.setInput(in, true, true);
      reader.addIIOReadWarningListener((r, warning) -> warnings.add(warning));
      checkSize(reader.getWidth(0), reader.getHeight(0), source);
      BufferedImage image = reader.read(0);
      if (format == ImageFormat.JPEG) {
        checkJpegWarnings(warnings, bytes, source);
      }
      return image;
    } catch (ImageDecodeException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw failure(format, bytes, source, e);
    } finally {
      reader.dispose();
    }
  }

  private void checkSize(int width, int height, String source) {
    if (width <= 0 || height <= 0) {
      throw new ImageDecodeException(source, "image has no pixels (" + width + "x" + height + ")");
    }
    if (width > limits.maxSide() || height > limits.maxSide() || (long) width * height > limits.maxPixels()) {
      throw new ImageTooLargeException(source, String.format(Locale.ROOT,
          "image is %dx%d pixels, more than the limit of %d pixels a side and %.1f megapixels",
          width, height, limits.maxSide(), limits.maxPixels() / 1e6));
    }
  }

  /** libjpeg pads missing data with gray and only warns; a model must not train on that. */
  private static void checkJpegWarnings(List<String> warnings, byte[] bytes, String source) {
    for (String warning : warnings) {
      String w = warning.toLowerCase(Locale.ROOT);
      if (w.contains("premature end")) {
        throw new ImageDecodeException(source, hasEndMarker(bytes)
            ? "corrupt JPEG (the compressed data is damaged: " + warning + ")"
            : "truncated JPEG (the data ends before the image is complete, after " + bytes.length + " bytes)");
      }
    }
    if (!warnings.isEmpty()) {
      LOG.debug("{}: recovered from JPEG warnings {}", source, warnings);
    }
  }

  private static ImageDecodeException failure(ImageFormat format, byte[] bytes, String source, Exception e) {
    boolean endOfData = false;
    String detail = e.getMessage();
    for (Throwable t = e; t != null; t = t.getCause()) {
      endOfData |= t instanceof EOFException;
      if (t.getCause() != null && t.getCause().getMessage() != null) {
        detail = detail + ": " + t.getCause().getMessage();
      }
    }
    if (detail == null) {
      detail = e.toString();
    }
    if (format == ImageFormat.JPEG && (endOfData || !hasEndMarker(bytes))) {
      return new ImageDecodeException(source,
          "truncated JPEG (the data ends after " + bytes.length + " bytes: " + detail + ")", e);
    }
    if (format == ImageFormat.PNG && endOfData) {
      return new ImageDecodeException(source,
          "truncated PNG (the data ends after " + bytes.length + " bytes: " + detail + ")", e);
    }
    return new ImageDecodeException(source, "corrupt " + format + ": " + detail, e);
  }

  /** Whether an EOI marker (FF D9) closes the data, allowing for trailing padding some cameras add. */
  private static boolean hasEndMarker(byte[] bytes) {
    for (int i = bytes.length - 2, stop = Math.max(2, bytes.length - 4096); i >= stop; i--) {
      if ((bytes[i] & 0xff) == 0xff && (bytes[i + 1] & 0xff) == 0xd9) {
        return true;
      }
    }
    return false;
  }

  private String tooLarge(long size) {
    return String.format(Locale.ROOT, "%d bytes, more than the limit of %d bytes", size, limits.maxBytes());
  }

  /** The registered provider whose class name starts with {@code preferredPackage}, else the first. */
  private static ImageReaderSpi readerProvider(String format, String preferredPackage) {
    ImageIO.scanForPlugins();
    ImageReaderSpi first = null;
    for (Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName(format); it.hasNext(); ) {
      ImageReader reader = it.next();
      ImageReaderSpi spi = reader.getOriginatingProvider();
      reader.dispose();
      if (first == null) {
        first = spi;
      }
      if (preferredPackage != null && spi.getClass().getName().startsWith(preferredPackage)) {
        return spi;
      }
    }
    if (first == null) {
      throw new IllegalStateException("no ImageIO reader for " + format);
    }
    if (preferredPackage != null) {
      LOG.warn("TwelveMonkeys' {} reader is not registered; using {}", format, first.getClass().getName());
    }
    return first;
  }
}
