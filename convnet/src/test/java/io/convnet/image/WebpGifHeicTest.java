package io.convnet.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;

/**
 * WebP and GIF decode through ImageIO plugins, HEIC is refused with advice. The files in
 * {@code src/test/resources/images} were written by the real encoders (cwebp, img2webp, ImageMagick,
 * heif-enc); their README says how.
 */
class WebpGifHeicTest {
  private final ImageDecoder decoder = ImageDecoder.standard();

  static byte[] resource(String name) {
    try (InputStream in = WebpGifHeicTest.class.getResourceAsStream("/images/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource images/" + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private RgbImage decode(String name) {
    return decoder.decode(resource(name), name);
  }

  @Test
  void formatsAreSniffedFromTheBytes() {
    assertThat(ImageFormat.sniff(resource("cat-lossy.webp"))).isEqualTo(ImageFormat.WEBP);
    assertThat(ImageFormat.sniff(resource("cat.gif"))).isEqualTo(ImageFormat.GIF);
    assertThat(ImageFormat.sniff(resource("cat.heic"))).isNull();
    assertThat(ImageFormat.isHeif(resource("cat.heic"))).isTrue();
    assertThat(ImageFormat.isHeif(resource("cat.avif"))).isFalse();
    assertThat(ImageFormat.isHeif(resource("cat-48x36.png"))).isFalse();
  }

  @Test
  void losslessWebpIsExactlyItsSource() {
    assertThat(decode("cat-lossless.webp")).isEqualTo(decode("cat-48x36.png"));
  }

  @Test
  void lossyWebpMatchesLibwebpsOwnDecoding() {
    RgbImage image = decode("cat-lossy.webp");
    assertThat(image.width()).isEqualTo(48);
    assertThat(image.height()).isEqualTo(36);
    // TwelveMonkeys' VP8 decoder upsamples chroma plainly, as dwebp -nofancy; libwebp's default
    // "fancy" upsampling differs by about 2 levels on this small, detailed image (0.3 in luma).
    assertThat(meanAbsDiff(image, decode("cat-lossy.dwebp-nofancy.png"))).isLessThan(0.5);
    assertThat(meanAbsDiff(image, decode("cat-lossy.dwebp.png"))).isLessThan(3.0);
    assertThat(meanAbsDiff(image, decode("cat-48x36.png"))).isLessThan(6.0);
  }

  @Test
  void webpAlphaIsCompositedOnWhiteAsPngAlphaIs() {
    assertThat(decode("cat-alpha-lossless.webp")).isEqualTo(decode("cat-alpha-48x36.png"));
    RgbImage lossy = decode("cat-alpha-lossy.webp");
    assertThat(meanAbsDiff(lossy, decode("cat-alpha-lossy.dwebp-nofancy.png"))).isLessThan(0.5);
    assertThat(lossy.rgb(0, 18)).as("the transparent left edge").isEqualTo(0xffffff);
  }

  @Test
  void animatedWebpGivesItsFirstFrame() {
    assertThat(decode("cat-then-dog.webp")).isEqualTo(decode("cat-48x36.png"));
  }

  @Test
  void gifGivesItsPaletteColours() {
    assertThat(decode("cat.gif")).isEqualTo(decode("cat.gif.png"));
  }

  @Test
  void animatedGifGivesItsFirstFrameInPlaceOnItsScreen() {
    RgbImage first = decode("cat-offset-then-dog.gif");
    assertThat(first).isEqualTo(decode("cat-offset-then-dog.first.png"));
    assertThat(first.rgb(2, 2)).as("outside the first frame: transparent, so white").isEqualTo(0xffffff);
  }

  @Test
  void sizedDecodeOfOtherFormatsIsTheExactDecode() {
    for (String name : new String[] {"cat-lossy.webp", "cat.gif", "cat-48x36.png"}) {
      assertThat(decoder.decodeForSize(resource(name), name, 8, 6)).isEqualTo(decode(name));
    }
  }

  @Test
  void heicIsRefusedWithAdviceOnConverting() {
    assertThatThrownBy(() -> decoder.decode(resource("cat.heic"), "IMG_0001.HEIC"))
        .isInstanceOf(UnsupportedImageFormatException.class)
        .hasMessageStartingWith("IMG_0001.HEIC: HEIC/HEIF images are not supported; convert to JPEG")
        .hasMessageContaining("heif-convert in.heic out.jpg")
        .satisfies(e -> assertThat(((UnsupportedImageFormatException) e).format()).isEqualTo("HEIC"));
  }

  @Test
  void avifKeepsTheGenericErrorNamingIt() {
    assertThatThrownBy(() -> decoder.decode(resource("cat.avif"), "x.avif"))
        .isExactlyInstanceOf(ImageDecodeException.class)
        .hasMessage("x.avif: not a JPEG or PNG image (an AVIF image)");
  }

  @Test
  void truncatedWebpAndGifAreNamed() {
    byte[] webp = resource("cat-lossy.webp");
    assertThatThrownBy(() -> decoder.decode(TestImages.truncated(webp, 0.5), "cut.webp"))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageStartingWith("cut.webp: ");
    byte[] gif = resource("cat.gif");
    assertThatThrownBy(() -> decoder.decode(TestImages.truncated(gif, 0.5), "cut.gif"))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageStartingWith("cut.gif: ");
  }

  @Test
  void gifScreenLargerThanTheLimitsIsRefusedBeforeDecoding() {
    byte[] gif = resource("cat.gif").clone();
    gif[6] = (byte) 0xff; // logical screen width 65535 (little-endian)
    gif[7] = (byte) 0xff;
    gif[8] = (byte) 0xff; // and height 65535: 4.3 gigapixels
    gif[9] = (byte) 0xff;
    assertThatThrownBy(() -> decoder.decode(gif, "bomb.gif"))
        .hasMessageStartingWith("bomb.gif: image is 65535x65535 pixels, more than the limit");
  }

  static double meanAbsDiff(RgbImage a, RgbImage b) {
    assertThat(b.width()).isEqualTo(a.width());
    assertThat(b.height()).isEqualTo(a.height());
    long sum = 0;
    for (int i = 0; i < a.pixels().length; i++) {
      sum += Math.abs((a.pixels()[i] & 0xff) - (b.pixels()[i] & 0xff));
    }
    return (double) sum / a.pixels().length;
  }
}
