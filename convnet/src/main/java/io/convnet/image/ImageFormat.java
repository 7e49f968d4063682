package io.convnet.image;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The image formats we decode, recognised by their magic bytes, never by a file name. */
public enum ImageFormat {
  JPEG,
  PNG,
  /** RIFF container with a {@code WEBP} form type: lossy, lossless, alpha, animation (first frame). */
  WEBP,
  /** GIF87a or GIF89a; the first frame. */
  GIF;

  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  /** ISO-BMFF {@code ftyp} brands of HEIF files coded with HEVC (HEIC), and HEIF's generic image brands. */
  private static final Set<String> HEIF_BRANDS =
      Set.of("heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs", "mif1", "msf1");
  private static final Set<String> AVIF_BRANDS = Set.of("avif", "avis");

  /** The format {@code data} starts like, or null if it is none we decode. */
  public static ImageFormat sniff(byte[] data) {
    if (data.length >= 3 && (data[0] & 0xff) == 0xff && (data[1] & 0xff) == 0xd8 && (data[2] & 0xff) == 0xff) {
      return JPEG;
    }
    if (startsWith(data, PNG_SIGNATURE)) {
      return PNG;
    }
    if (isWebp(data)) {
      return WEBP;
    }
    if (startsWith(data, ascii("GIF87a")) || startsWith(data, ascii("GIF89a"))) {
      return GIF;
    }
    return null;
  }

  /**
   * Whether {@code data} is a HEIF image (an iPhone's HEIC): an ISO-BMFF {@code ftyp} box whose major or
   * compatible brands name HEIF. AVIF shares the container and the {@code mif1} brand, but is not HEIC.
   */
  public static boolean isHeif(byte[] data) {
    List<String> brands = ftypBrands(data);
    if (brands.isEmpty() || brands.stream().anyMatch(AVIF_BRANDS::contains)) {
      return false;
    }
    return brands.stream().anyMatch(HEIF_BRANDS::contains);
  }

  private static boolean isWebp(byte[] data) {
    return startsWith(data, ascii("RIFF")) && data.length >= 12 && ascii(data, 8, 4).equals("WEBP");
  }

  /** The major brand and the compatible brands of a leading {@code ftyp} box; empty if there is none. */
  private static List<String> ftypBrands(byte[] data) {
    if (data.length < 16 || !ascii(data, 4, 4).equals("ftyp")) {
      return List.of();
    }
    long size = (data[0] & 0xffL) << 24 | (data[1] & 0xff) << 16 | (data[2] & 0xff) << 8 | (data[3] & 0xff);
    int end = (int) Math.min(data.length, size < 16 ? 16 : Math.min(size, 4096));
    List<String> brands = new ArrayList<>();
    brands.add(ascii(data, 8, 4)); // the major brand; bytes 12..15 are its minor version
    for (int i = 16; i + 4 <= end; i += 4) {
      brands.add(ascii(data, i, 4));
    }
    return brands;
  }

  /**
   * For error messages about data in no format we decode: which other format it is, when it is a
   * well-known one. Never the bytes themselves: a message must not echo what a file contains.
   */
  static String describe(byte[] data) {
    if (startsWith(data, ascii("GIF8"))) {
      return "a GIF image";
    }
    if (startsWith(data, ascii("BM"))) {
      return "looks like a BMP image";
    }
    if (startsWith(data, ascii("II*\0")) || startsWith(data, ascii("MM\0*"))) {
      return "a TIFF image";
    }
    if (ftypBrands(data).stream().anyMatch(AVIF_BRANDS::contains)) {
      return "an AVIF image";
    }
    if (data.length >= 12 && ascii(data, 4, 4).equals("ftyp")) {
      return "an ISO media file (HEIC/AVIF/MP4)";
    }
    if (startsWith(data, ascii("%PDF"))) {
      return "a PDF document";
    }
    if (data.length >= 2 && (data[0] & 0xff) == 0xff && (data[1] & 0xff) == 0xd8) {
      return "starts like a JPEG but has no marker after SOI";
    }
    return "unknown format";
  }

  private static boolean startsWith(byte[] data, byte[] prefix) {
    if (data.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (data[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static String ascii(byte[] data, int from, int length) {
    return new String(data, from, length, StandardCharsets.ISO_8859_1);
  }
}
