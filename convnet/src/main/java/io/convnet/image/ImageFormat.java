package io.convnet.image;

import java.nio.charset.StandardCharsets;

/** The image formats we decode, recognised by their magic bytes, never by a file name. */
public enum ImageFormat {
  JPEG,
  PNG;

  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  /** The format {@code data} starts like, or null if it is neither JPEG nor PNG. */
  public static ImageFormat sniff(byte[] data) {
    if (data.length >= 3 && (data[0] & 0xff) == 0xff && (data[1] & 0xff) == 0xd8 && (data[2] & 0xff) == 0xff) {
      return JPEG;
    }
    if (startsWith(data, PNG_SIGNATURE)) {
      return PNG;
    }
    return null;
  }

  /** For error messages about data that is not JPEG or PNG: what it looks like instead. */
  static String describe(byte[] data) {
    if (startsWith(data, ascii("GIF8"))) {
      return "a GIF image";
    }
    if (startsWith(data, ascii("BM"))) {
      return "looks like a BMP image";
    }
    if (startsWith(data, ascii("RIFF")) && data.length >= 12 && ascii(data, 8, 4).equals("WEBP")) {
      return "a WebP image";
    }
    if (startsWith(data, ascii("II*\0")) || startsWith(data, ascii("MM\0*"))) {
      return "a TIFF image";
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
    return "starts with " + preview(data);
  }

  /** The first bytes as text when printable, else as hex. */
  private static String preview(byte[] data) {
    int n = Math.min(data.length, 8);
    boolean printable = n > 0;
    for (int i = 0; i < n; i++) {
      int b = data[i] & 0xff;
      printable &= b >= 0x20 && b < 0x7f || b == '\n' || b == '\r' || b == '\t';
    }
    if (printable) {
      return "\"" + ascii(data, 0, n).replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + "\"";
    }
    StringBuilder hex = new StringBuilder("bytes");
    for (int i = 0; i < n; i++) {
      hex.append(String.format(" %02X", data[i] & 0xff));
    }
    return hex.toString();
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
