package io.convnet.image;

import com.twelvemonkeys.imageio.stream.ByteArrayImageInputStream;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JPEG, PNG, WebP and GIF bytes (a file or a request body) -> upright 8-bit {@link RgbImage}.
 *
 * <ul>
 *   <li>The format comes from the magic bytes, never the file name. HEIC is recognised and refused with
 *       an {@link UnsupportedImageFormatException} that says how to convert it.
 *   <li>JPEG through TwelveMonkeys (CMYK and YCCK, Adobe markers, ICC profiles, broken-but-recoverable
 *       streams), then the EXIF orientation applied. A JPEG whose data ends before the image is complete
 *       is refused as truncated instead of being padded with gray; harmless warnings (a missing EOI
 *       marker after complete data, extraneous bytes) are accepted.
 *   <li>{@link #decodeForSize}: a JPEG at least twice the size the caller needs is decoded at 1/2, 1/4
 *       or 1/8 scale by libjpeg-turbo ({@link DctScaledJpeg}), so a 12 MP photo costs milliseconds.
 *   <li>PNG through the JDK reader: gray, gray+alpha, palette (with tRNS), RGB, RGBA, 1..16 bits.
 *   <li>WebP (lossy, lossless, alpha; an animation's first frame) through TwelveMonkeys; GIF's first
 *       frame through the JDK reader.
 *   <li>Colour conversion as in {@link RgbConversion}: gray replicated, alpha composited on white,
 *       16-bit rounded to 8-bit.
 *   <li>Dimensions are checked from the header, before any pixel memory is allocated.
 * </ul>
 *
 * Thread-safe: every call uses its own reader; the reduced JPEG path shares one TensorFlow session.
 */
public final class ImageDecoder {
  private static final Logger LOG = LoggerFactory.getLogger(ImageDecoder.class);
  private static final ImageDecoder STANDARD = new ImageDecoder(Limits.DEFAULT);
  private static final ImageReaderSpi JPEG_READERS = readerProvider("jpeg", "com.twelvemonkeys");
  private static final ImageReaderSpi PNG_READERS = readerProvider("png", null);
  private static final ImageReaderSpi WEBP_READERS = readerProvider("webp", "com.twelvemonkeys");
  private static final ImageReaderSpi GIF_READERS = readerProvider("gif", null);
  private static final String HEIC_ADVICE = "HEIC/HEIF images are not supported; convert to JPEG first, "
      + "e.g. `heif-convert in.heic out.jpg` (libheif), or set the iPhone's camera format to Most Compatible";

  /**
   * What we refuse to decode.
   *
   * @param maxBytes largest encoded size
   * @param maxSide largest width or height
   * @param maxPixels largest width x height (a decompression bomb claims a huge size in a tiny file)
   */
  public record Limits(long maxBytes, int maxSide, long maxPixels) {
    /**
     * 64 MiB, 16384 px a side, 64 megapixels: a 48 MP phone photo fits (its full decode allocates about
     * 450 MB of heap; {@link #decodeForSize} for a 150x150 model about 4 MB).
     */
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
    return decode(readFile(file), file.toString());
  }

  /**
   * Decodes encoded bytes.
   *
   * @param source names the image in error messages: a file path, or e.g. {@code "request part 'image'"}
   */
  public RgbImage decode(byte[] bytes, String source) {
    return decode(bytes, source, null);
  }

  /**
   * Decodes a file for use at {@code width x height}; see {@link #decodeForSize(byte[], String, int, int)}.
   */
  public RgbImage decodeForSize(Path file, int width, int height) {
    return decodeForSize(readFile(file), file.toString(), width, height);
  }

  /**
   * Decodes an image that will be resized to {@code width x height} (a model's input size), cheaply: a
   * JPEG at least twice that size (upright, after its EXIF orientation) is decoded at the largest of 1/8,
   * 1/4 and 1/2 scale that still leaves it at least {@code width x height}; the caller's resize does the
   * rest. Anything else (a smaller JPEG such as the data sets' 180x180 photos for a 150x150 model, PNG,
   * WebP, GIF, CMYK JPEGs) is decoded exactly as {@link #decode(byte[], String)} does, pixel for pixel.
   * The limits are checked from the header first, as always.
   *
   * @return the upright image, no smaller than {@code width x height} unless the original is
   */
  public RgbImage decodeForSize(byte[] bytes, String source, int width, int height) {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("target size must be positive, got " + width + "x" + height);
    }
    return decode(bytes, source, new Need(width, height));
  }

  /** The size a caller will resize to. */
  private record Need(int width, int height) {}

  /** Opens a file for reading: {@code Files::newByteChannel}, or a data root's confined open. */
  @FunctionalInterface
  public interface Opener {
    SeekableByteChannel open(Path file) throws IOException;
  }

  private byte[] readFile(Path file) {
    return readFile(file, file.toString(), Files::newByteChannel);
  }

  /**
   * The encoded bytes of {@code file} as {@code open} opens it, refused when empty or larger than the
   * limit before anything is read. Errors are {@link ImageDecodeException}s naming {@code source} and the
   * problem (never the file's contents); what {@code open} itself refuses with a runtime exception (a data
   * root: a link leading out) passes through.
   */
  public byte[] readFile(Path file, String source, Opener open) {
    try (SeekableByteChannel in = open.open(file)) {
      long size = in.size();
      if (size == 0) {
        throw new ImageDecodeException(source, "zero-byte file");
      }
      if (size > limits.maxBytes()) {
        throw new ImageTooLargeException(source, tooLarge(size));
      }
      ByteBuffer bytes = ByteBuffer.allocate((int) size);
      while (bytes.hasRemaining() && in.read(bytes) >= 0) {
        // until full, or the end of a file that shrank meanwhile
      }
      return bytes.hasRemaining() ? Arrays.copyOf(bytes.array(), bytes.position()) : bytes.array();
    } catch (NoSuchFileException e) {
      throw new ImageDecodeException(source, Files.isSymbolicLink(file)
          ? "broken symbolic link (its target does not exist)" : "no such file", e);
    } catch (FileSystemException e) {
      throw new ImageDecodeException(source, "cannot read the file ("
          + (e.getReason() != null ? e.getReason() : e.getClass().getSimpleName()) + ")", e);
    } catch (IOException e) {
      throw new ImageDecodeException(source, "cannot read the file (" + e.getClass().getSimpleName() + ")", e);
    }
  }

  private RgbImage decode(byte[] bytes, String source, Need need) {
    if (bytes.length == 0) {
      throw new ImageDecodeException(source, "zero-byte file");
    }
    if (bytes.length > limits.maxBytes()) {
      throw new ImageTooLargeException(source, tooLarge(bytes.length));
    }
    ImageFormat format = ImageFormat.sniff(bytes);
    if (format == null) {
      if (ImageFormat.isHeif(bytes)) {
        throw new UnsupportedImageFormatException(source, "HEIC", HEIC_ADVICE);
      }
      // The wording predates WebP and GIF support; services and their tests match on it.
      throw new ImageDecodeException(source, "not a JPEG or PNG image (" + ImageFormat.describe(bytes) + ")");
    }
    if (format != ImageFormat.JPEG) {
      return read(bytes, format, source, null, 1);
    }
    int orientation = ExifOrientation.read(bytes);
    return ExifOrientation.apply(read(bytes, format, source, need, orientation), orientation);
  }

  /** The image as stored (EXIF orientation not applied); reduced when {@code need} allows it. */
  private RgbImage read(byte[] bytes, ImageFormat format, String source, Need need, int orientation) {
    ImageReader reader;
    try {
      reader = readers(format).createReaderInstance();
    } catch (IOException e) {
      throw new IllegalStateException("cannot create an ImageIO reader for " + format, e);
    }
    List<String> warnings = new ArrayList<>();
    try (ImageInputStream in = new ByteArrayImageInputStream(bytes)) {
      // GIF's reader needs its metadata (the first frame's place on the screen).
      reader.setInput(in, true, format != ImageFormat.GIF);
      reader.addIIOReadWarningListener((r, warning) -> warnings.add(warning));
      int width = reader.getWidth(0);
      int height = reader.getHeight(0);
      checkSize(width, height, source);
      if (format == ImageFormat.GIF) {
        GifFirstFrame.Layout layout = GifFirstFrame.layout(reader);
        checkSize(layout.width(), layout.height(), source);
        return RgbImage.of(GifFirstFrame.read(reader, layout));
      }
      if (need != null) {
        RgbImage reduced = reduced(reader, bytes, width, height, need, orientation, source);
        if (reduced != null) {
          return reduced;
        }
      }
      BufferedImage image = reader.read(0);
      if (format == ImageFormat.JPEG) {
        checkJpegWarnings(warnings, bytes, source);
      }
      return RgbImage.of(image);
    } catch (ImageDecodeException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw failure(format, bytes, source, e);
    } finally {
      reader.dispose();
    }
  }

  /**
   * The JPEG decoded by libjpeg-turbo's DCT scaling, or null when it needs no reduction or is not a
   * plain 1- or 3-component JPEG, or its data has no end marker (the exact path tells truncated from
   * recoverable), or libjpeg-turbo refuses it: the exact path then decodes it, or names what is wrong.
   */
  private static RgbImage reduced(ImageReader reader, byte[] bytes, int width, int height, Need need,
      int orientation, String source) {
    int ratio = DctScaledJpeg.ratio(width, height, orientation, need.width(), need.height());
    if (ratio == 1 || !hasEndMarker(bytes)) {
      return null;
    }
    try {
      // The colour space of the embedded ICC profile (sRGB when there is none), as the exact path uses it.
      ImageTypeSpecifier raw = reader.getRawImageType(0);
      if (raw == null) {
        return null;
      }
      ColorSpace space = raw.getColorModel().getColorSpace();
      boolean rgb = raw.getNumBands() == 3 && space.getNumComponents() == 3;
      if (!rgb && raw.getNumBands() != 1) {
        return null; // CMYK, YCCK, gray+alpha
      }
      RgbImage image = DctScaledJpeg.shared().decode(bytes, ratio);
      if (image.width() != DctScaledJpeg.scaled(width, ratio) || image.height() != DctScaledJpeg.scaled(height, ratio)) {
        return null;
      }
      return rgb && !space.isCS_sRGB() ? DctScaledJpeg.toSrgb(image, space) : image;
    } catch (IOException | RuntimeException e) {
      LOG.debug("{}: decoding at 1/{} failed, decoding at full size: {}", source, ratio, e.toString());
      return null;
    }
  }

  private static ImageReaderSpi readers(ImageFormat format) {
    return switch (format) {
      case JPEG -> JPEG_READERS;
      case PNG -> PNG_READERS;
      case WEBP -> WEBP_READERS;
      case GIF -> GIF_READERS;
    };
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
        LOG.debug("{}: JPEG warning {}", source, warning);
        throw new ImageDecodeException(source, hasEndMarker(bytes)
            ? "corrupt JPEG (the compressed data is damaged)"
            : "truncated JPEG (the data ends before the image is complete, after " + bytes.length + " bytes)");
      }
    }
    if (!warnings.isEmpty()) {
      LOG.debug("{}: recovered from JPEG warnings {}", source, warnings);
    }
  }

  /**
   * What is wrong, in our words only: the decoders' own messages quote pieces of the data (a chunk tag,
   * a marker), and an error message never echoes a file's contents. Theirs go to the debug log.
   */
  private static ImageDecodeException failure(ImageFormat format, byte[] bytes, String source, Exception e) {
    boolean endOfData = false;
    for (Throwable t = e; t != null; t = t.getCause()) {
      endOfData |= t instanceof EOFException;
    }
    LOG.debug("{}: {} decoder failed", source, format, e);
    if (format == ImageFormat.JPEG && (endOfData || !hasEndMarker(bytes))) {
      return new ImageDecodeException(source,
          "truncated JPEG (the data ends after " + bytes.length + " bytes, before the image is complete)", e);
    }
    if (format != ImageFormat.JPEG && endOfData) {
      return new ImageDecodeException(source,
          "truncated " + format + " (the data ends after " + bytes.length + " bytes, before the image is complete)", e);
    }
    return new ImageDecodeException(source, "corrupt " + format + " (the " + format
        + " decoder cannot read its data)", e);
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
