package io.convnet.image;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResizeTest {

  @Test
  void sameSizeIsTheSameImage() {
    RgbImage image = TestImages.gradient(30, 20);
    assertThat(Resize.bilinear(image, 30, 20)).isSameAs(image);
  }

  @Test
  void constantStaysConstantAtAnySize() {
    RgbImage image = RgbImage.blank(37, 23);
    for (int y = 0; y < 23; y++) {
      for (int x = 0; x < 37; x++) {
        image.set(x, y, 0x3c7fd2);
      }
    }
    for (int[] size : new int[][] {{150, 150}, {5, 3}, {37, 90}, {1, 1}}) {
      RgbImage out = Resize.bilinear(image, size[0], size[1]);
      for (int y = 0; y < size[1]; y++) {
        for (int x = 0; x < size[0]; x++) {
          assertThat(out.rgb(x, y)).isEqualTo(0x3c7fd2);
        }
      }
    }
  }

  @Test
  void enlargingIsBilinearWithHalfPixelCentres() {
    RgbImage image = RgbImage.blank(2, 1);
    image.set(1, 0, 0xffffff);
    RgbImage out = Resize.bilinear(image, 4, 1);
    assertThat(new int[] {out.get(0, 0, 0), out.get(1, 0, 0), out.get(2, 0, 0), out.get(3, 0, 0)})
        .containsExactly(0, 64, 191, 255);
  }

  @Test
  void strongShrinkingAveragesInsteadOfAliasing() {
    // A one-pixel checkerboard: point sampling would give pure black or white.
    RgbImage board = RgbImage.blank(400, 300);
    for (int y = 0; y < 300; y++) {
      for (int x = 0; x < 400; x++) {
        board.set(x, y, ((x + y) & 1) == 0 ? 0xffffff : 0);
      }
    }
    RgbImage out = Resize.bilinear(board, 50, 50);
    for (int y = 0; y < 50; y++) {
      for (int x = 0; x < 50; x++) {
        assertThat(out.get(x, y, 1)).isBetween(120, 135);
      }
    }
  }

  @Test
  void keepsTheLayoutWhenShrinking() {
    RgbImage out = Resize.bilinear(TestImages.quadrants(180, 180), 150, 150);
    assertThat(out.rgb(30, 30)).isEqualTo(0xff0000);
    assertThat(out.rgb(120, 30)).isEqualTo(0x00ff00);
    assertThat(out.rgb(30, 120)).isEqualTo(0x0000ff);
    assertThat(out.rgb(120, 120)).isEqualTo(0xffffff);
  }
}
