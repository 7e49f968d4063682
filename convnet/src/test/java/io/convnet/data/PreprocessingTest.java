package io.convnet.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convnet.image.RgbImage;
import io.convnet.image.TestImages;
import org.junit.jupiter.api.Test;

class PreprocessingTest {

  @Test
  void rescaleDividesBy255() {
    RgbImage image = RgbImage.blank(2, 1);
    image.set(0, 0, 0xff0033);
    image.set(1, 0, 0x010203);
    float[] out = Preprocessing.rescale(1, 2).apply(image);
    assertThat(out).containsExactly(1f, 0f, 51 * (1f / 255f), 1 / 255f, 2 * (1f / 255f), 3 * (1f / 255f));
  }

  @Test
  void caffeIsBgrMinusTheImageNetMean() {
    RgbImage image = RgbImage.blank(1, 1);
    image.set(0, 0, 10 << 16 | 20 << 8 | 30);
    float[] out = Preprocessing.caffe(1, 1).apply(image);
    assertThat(out).containsExactly(30 - 103.939f, 20 - 116.779f, 10 - 123.68f);
  }

  @Test
  void resizesAndWritesAtTheOffsetOnly() {
    Preprocessing p = Preprocessing.rescale(150, 150);
    float[] batch = new float[3 * p.floatsPerImage()];
    java.util.Arrays.fill(batch, -7f);
    p.apply(TestImages.quadrants(180, 180), batch, p.floatsPerImage());
    assertThat(batch[0]).isEqualTo(-7f);
    assertThat(batch[2 * p.floatsPerImage()]).isEqualTo(-7f);
    int topLeftRed = p.floatsPerImage() + (10 * 150 + 10) * 3;
    assertThat(batch[topLeftRed]).isEqualTo(1f);
    assertThat(batch[topLeftRed + 1]).isEqualTo(0f);
  }

  @Test
  void toImageInvertsBothModes() {
    RgbImage image = TestImages.gradient(20, 10);
    for (Preprocessing p : new Preprocessing[] {Preprocessing.rescale(10, 20), Preprocessing.caffe(10, 20)}) {
      float[] floats = p.apply(image);
      assertThat(p.toImage(floats, 0)).isEqualTo(image);
    }
  }

  @Test
  void scaleMatchesToFloatsInPlaceOrNot() {
    RgbImage image = TestImages.gradient(7, 5);
    for (Preprocessing.Mode mode : Preprocessing.Mode.values()) {
      Preprocessing p = new Preprocessing(28, 28, mode);
      RgbImage sized = io.convnet.image.Resize.bilinear(image, 28, 28);
      float[] raw = new float[28 * 28 * 3];
      for (int i = 0; i < raw.length; i++) {
        raw[i] = sized.pixels()[i] & 0xff;
      }
      float[] expected = new float[p.floatsPerImage()];
      p.toFloats(sized, expected, 0);
      float[] out = new float[p.floatsPerImage() + 1];
      p.scale(raw, 0, out, 1, 28 * 28);
      assertThat(java.util.Arrays.copyOfRange(out, 1, out.length)).as(mode.name()).containsExactly(expected);
      p.scale(raw, 0, raw, 0, 28 * 28);
      assertThat(java.util.Arrays.copyOf(raw, expected.length)).as(mode.name()).containsExactly(expected);
    }
  }

  @Test
  void mnistIsOneGrayChannelOfTheNormalisedDigitPaddedToTheInput() {
    Preprocessing p = Preprocessing.mnist(32);
    assertThat(p.channels()).isEqualTo(1);
    assertThat(p.floatsPerImage()).isEqualTo(32 * 32);
    RgbImage digit = io.convnet.image.MnistDigits.normalize(
        io.convnet.testing.DigitImages.photo(4, 200, 160, 0x102030, 0xfafaf0, 80, 80, 3, 1));
    float[] x = p.apply(io.convnet.testing.DigitImages.photo(4, 200, 160, 0x102030, 0xfafaf0, 80, 80, 3, 1));
    for (int y = 0; y < 32; y++) {
      for (int c = 0; c < 32; c++) {
        boolean inField = y >= 2 && y < 30 && c >= 2 && c < 30;
        float expected = inField ? digit.get(c - 2, y - 2, 0) * (1f / 255f) : 0f;
        assertThat(x[y * 32 + c]).isEqualTo(expected);
      }
    }
    // colour becomes luma; the display image is gray
    RgbImage colour = RgbImage.blank(28, 28);
    colour.set(3, 4, 200 << 16 | 100 << 8 | 50);
    float[] c = new float[28 * 28];
    new Preprocessing(28, 28, Preprocessing.Mode.MNIST).toFloats(colour, c, 0);
    assertThat(c[4 * 28 + 3] * 255f).isCloseTo(0.299f * 200 + 0.587f * 100 + 0.114f * 50,
        org.assertj.core.api.Assertions.within(1e-3f));
    RgbImage shown = p.toImage(x, 0);
    assertThat(shown.get(2 + 14, 2 + 14, 0)).isEqualTo(digit.get(14, 14, 0)).isEqualTo(shown.get(16, 16, 2));
    assertThatThrownBy(() -> Preprocessing.mnist(24)).hasMessageContaining("at least 28x28");
  }

  @Test
  void refusesAnImageOfTheWrongSizeForToFloats() {
    assertThatThrownBy(() -> Preprocessing.rescale(150, 150).toFloats(RgbImage.blank(180, 180), new float[1], 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected a 150x150 image");
  }

  @Test
  void parsesModeNames() {
    assertThat(Preprocessing.Mode.parse("caffe")).isEqualTo(Preprocessing.Mode.CAFFE);
    assertThat(Preprocessing.Mode.parse(" RESCALE ")).isEqualTo(Preprocessing.Mode.RESCALE);
    assertThat(Preprocessing.Mode.parse("mnist")).isEqualTo(Preprocessing.Mode.MNIST);
    assertThatThrownBy(() -> Preprocessing.Mode.parse("torch")).hasMessageContaining("known: rescale, caffe, mnist");
  }
}
