package io.convnet.gateway.serving;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * What the first bytes of a body say it is, so that an image is taken whatever Content-Type its
 * client sent ({@code curl --data-binary} says form-urlencoded). Only the magic numbers: whether
 * the image is whole and decodable is the worker's decoder's call, which names the problem.
 */
enum ImageSniff {
  JPEG, PNG, WEBP, GIF,
  /** HEIC, HEIF, AVIF: ISO base media files that phones write; the workers cannot decode them. */
  HEIF,
  NOT_AN_IMAGE;

  /** The brands of an {@code ftyp} box that mean a HEIF-family still image. */
  private static final Set<String> HEIF_BRANDS = Set.of("heic", "heix", "heim", "heis", "hevc", "hevx", "hevm",
      "hevs", "mif1", "msf1", "avif", "avis");

  static final String HEIF_ADVICE = "HEIC/HEIF images (iPhone photos) are not supported: convert to JPEG first "
      + "(heif-convert photo.heic photo.jpg with Debian's libheif-examples, sips -s format jpeg photo.heic --out "
      + "photo.jpg on macOS, or iPhone Settings > Camera > Formats > Most Compatible)";

  static ImageSniff of(Buffer data) {
    return of(data.getBytes(0, Math.min(data.length(), 12)));
  }

  /** From the first bytes (12 are enough). */
  static ImageSniff of(byte[] b) {
    int n = b.length;
    if (n >= 3 && u(b, 0) == 0xff && u(b, 1) == 0xd8 && u(b, 2) == 0xff) {
      return JPEG;
    }
    if (n >= 8 && u(b, 0) == 0x89 && ascii(b, 1, "PNG") && u(b, 4) == 0x0d && u(b, 5) == 0x0a) {
      return PNG;
    }
    if (n >= 12 && ascii(b, 0, "RIFF") && ascii(b, 8, "WEBP")) {
      return WEBP;
    }
    if (n >= 6 && (ascii(b, 0, "GIF87a") || ascii(b, 0, "GIF89a"))) {
      return GIF;
    }
    if (n >= 12 && ascii(b, 4, "ftyp") && HEIF_BRANDS.contains(new String(b, 8, 4, StandardCharsets.ISO_8859_1))) {
      return HEIF;
    }
    return NOT_AN_IMAGE;
  }

  boolean isImage() {
    return this == JPEG || this == PNG || this == WEBP || this == GIF;
  }

  private static int u(byte[] b, int i) {
    return b[i] & 0xff;
  }

  private static boolean ascii(byte[] b, int at, String text) {
    for (int i = 0; i < text.length(); i++) {
      if (b[at + i] != text.charAt(i)) {
        return false;
      }
    }
    return true;
  }
}
