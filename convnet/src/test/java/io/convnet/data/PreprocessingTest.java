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
  void scaleInPlaceMatchesToFloats() {
    RgbImage image = TestImages.gradient(7, 5);
    for (Preprocessing p : new Preprocessing[] {Preprocessing.rescale(5, 7), Preprocessing.caffe(5, 7)}) {
      float[] raw = new float[p.floatsPerImage()];
      for (int i = 0; i < raw.length; i++) {
        raw[i] = image.pixels()[i] & 0xff;
      }
      p.scaleInPlace(raw, 0, raw.length);
      assertThat(raw).containsExactly(p.apply(image));
    }
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
    assertThatThrownBy(() -> Preprocessing.Mode.parse("torch")).hasMessageContaining("known: rescale, caffe");
  }
}
