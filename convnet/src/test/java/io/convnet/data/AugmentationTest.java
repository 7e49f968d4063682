package io.convnet.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.convnet.image.RgbImage;
import io.convnet.image.TestImages;
import org.junit.jupiter.api.Test;

class AugmentationTest {
  private static final int N = 32;
  private final Preprocessing prep = Preprocessing.rescale(N, N);
  private final RgbImage image = TestImages.gradient(N, N);

  private static TransformParameters params(double theta, double tx, double ty, double zoom, boolean flip, double brightness) {
    return new TransformParameters(theta, tx, ty, 0, zoom, zoom, flip, false, brightness);
  }

  @Test
  void identitySettingsReproduceTheInput() {
    TransformParameters none = Augmentation.none().draw(SeededRandom.of(1, 2, 3), N, N);
    assertThat(none.isIdentity()).isTrue();
    float[] out = new float[prep.floatsPerImage()];
    none.apply(image, prep, out, 0);
    assertThat(out).containsExactly(prep.apply(image));
    // and through the warp itself
    assertThat(TransformParameters.identity().apply(image)).isEqualTo(image);
  }

  @Test
  void horizontalFlipIsExact() {
    TransformParameters flip = params(0, 0, 0, 1, true, 1);
    RgbImage out = flip.apply(image);
    for (int y = 0; y < N; y++) {
      for (int x = 0; x < N; x++) {
        assertThat(out.rgb(x, y)).isEqualTo(image.rgb(N - 1 - x, y));
      }
    }
    float[] floats = new float[prep.floatsPerImage()];
    flip.apply(image, prep, floats, 0);
    assertThat(floats).containsExactly(prep.apply(out));
  }

  @Test
  void rotationBy90TurnsThePictureClockwise() {
    RgbImage out = params(90, 0, 0, 1, false, 1).apply(image);
    for (int y = 0; y < N; y++) {
      for (int x = 0; x < N; x++) {
        assertThat(out.rgb(x, y)).isEqualTo(image.rgb(y, N - 1 - x));
      }
    }
    RgbImage quadrants = params(90, 0, 0, 1, false, 1).apply(TestImages.quadrants(N, N));
    assertThat(quadrants.rgb(4, 4)).isEqualTo(0x0000ff); // bottom-left came to the top-left
    assertThat(quadrants.rgb(N - 4, 4)).isEqualTo(0xff0000);
  }

  @Test
  void shiftMovesContentAndFillsWithTheNearestEdge() {
    RgbImage out = params(0, 0, 10, 1, false, 1).apply(image); // ty: input column = output column + 10
    for (int y = 0; y < N; y++) {
      for (int x = 0; x < N; x++) {
        assertThat(out.rgb(x, y)).isEqualTo(image.rgb(Math.min(x + 10, N - 1), y));
      }
    }
  }

  @Test
  void zoomKeepsTheCentre() {
    RgbImage odd = TestImages.gradient(33, 33);
    RgbImage zoomedOut = params(0, 0, 0, 2, false, 1).apply(odd);
    assertThat(zoomedOut.rgb(16, 16)).isEqualTo(odd.rgb(16, 16));
    assertThat(zoomedOut.rgb(17, 16)).isEqualTo(odd.rgb(18, 16));
    assertThat(zoomedOut.rgb(0, 0)).isEqualTo(odd.rgb(0, 0)); // beyond the edge: nearest
  }

  @Test
  void brightnessScalesAndClips() {
    RgbImage gray = RgbImage.blank(4, 4);
    gray.set(1, 1, 100 << 16 | 200 << 8 | 10);
    RgbImage out = params(0, 0, 0, 1, false, 1.5).apply(gray);
    assertThat(out.rgb(1, 1)).isEqualTo(150 << 16 | 255 << 8 | 15);
  }

  @Test
  void sameSeedEpochAndIndexGiveTheSameAugmentation() {
    Augmentation aug = Augmentation.tutorial();
    TransformParameters a = aug.draw(SeededRandom.of(7, 3, 11), N, N);
    TransformParameters b = aug.draw(SeededRandom.of(7, 3, 11), N, N);
    TransformParameters other = aug.draw(SeededRandom.of(7, 3, 12), N, N);
    assertThat(a).isEqualTo(b);
    assertThat(other).isNotEqualTo(a);
    float[] x = new float[prep.floatsPerImage()];
    float[] y = new float[prep.floatsPerImage()];
    a.apply(image, prep, x, 0);
    b.apply(image, prep, y, 0);
    assertThat(x).containsExactly(y);
  }

  @Test
  void drawsWithinKerasRanges() {
    Augmentation aug = Augmentation.tutorial();
    int flips = 0;
    double maxTheta = 0;
    for (int i = 0; i < 2000; i++) {
      TransformParameters t = aug.draw(SeededRandom.of(1, 0, i), 150, 100);
      assertThat(Math.abs(t.theta())).isLessThanOrEqualTo(40);
      assertThat(Math.abs(t.tx())).isLessThanOrEqualTo(0.2 * 150);
      assertThat(Math.abs(t.ty())).isLessThanOrEqualTo(0.2 * 100);
      assertThat(Math.abs(t.shear())).isLessThanOrEqualTo(0.2);
      assertThat(t.zx()).isBetween(0.8, 1.2);
      assertThat(t.zy()).isBetween(0.8, 1.2);
      assertThat(t.brightness()).isBetween(0.8, 1.2);
      assertThat(t.flipVertical()).isFalse();
      flips += t.flipHorizontal() ? 1 : 0;
      maxTheta = Math.max(maxTheta, Math.abs(t.theta()));
    }
    assertThat(flips).isBetween(900, 1100);
    assertThat(maxTheta).isGreaterThan(39);
  }

  @Test
  void augmentedRescaledValuesStayInZeroToOne() {
    TransformParameters t = Augmentation.tutorial().withBrightness(1.5, 2).draw(SeededRandom.of(5), N, N);
    float[] out = new float[prep.floatsPerImage()];
    t.apply(image, prep, out, 0);
    for (float v : out) {
      assertThat(v).isBetween(0f, 1f);
    }
    assertThat(out[0]).isNotCloseTo(prep.apply(image)[0], within(0f));
  }

  @Test
  void digitsAugmentationOnlyShiftsAndRotatesSlightlyAndNeverFlips() {
    Augmentation digits = Augmentation.digits();
    assertThat(digits.horizontalFlip()).isFalse();
    assertThat(digits.verticalFlip()).isFalse();
    for (int i = 0; i < 500; i++) {
      TransformParameters t = digits.draw(SeededRandom.of(1, 0, i), N, N);
      assertThat(t.flipHorizontal() || t.flipVertical()).isFalse();
      assertThat(Math.abs(t.theta())).isLessThanOrEqualTo(10);
      assertThat(Math.abs(t.tx())).isLessThanOrEqualTo(0.08 * N);
      assertThat(Math.abs(t.ty())).isLessThanOrEqualTo(0.08 * N);
      assertThat(t.shear()).isZero();
      assertThat(t.zx()).isEqualTo(1);
      assertThat(t.zy()).isEqualTo(1);
      assertThat(t.brightness()).isEqualTo(1);
    }
    assertThat(digits.describe()).containsEntry("horizontal_flip", false).containsEntry("rotation_range", 10.0);
  }

  @Test
  void aOneChannelInputGetsTheLumaOfTheWarpedImageAndNothingBeyondItsFloats() {
    Preprocessing gray = Preprocessing.mnist(N);
    RgbImage digit = io.convnet.image.MnistDigits.centredIn(io.convnet.image.MnistDigits.normalize(
        io.convnet.testing.DigitImages.photo(2, 64, 64, 0xffffff, 0, 32, 32, 0, 1)), N, N);
    TransformParameters t = params(7, 2, -3, 1, false, 1);
    float[] out = new float[3 * gray.floatsPerImage()];
    java.util.Arrays.fill(out, -7f);
    t.apply(digit, gray, out, gray.floatsPerImage());
    assertThat(out[gray.floatsPerImage() - 1]).isEqualTo(-7f);
    assertThat(out[2 * gray.floatsPerImage()]).isEqualTo(-7f);
    RgbImage warped = t.apply(digit);
    float[] expected = new float[gray.floatsPerImage()];
    gray.toFloats(warped, expected, 0);
    for (int i = 0; i < expected.length; i++) {
      // apply(RgbImage) rounds the warped values to bytes; the float path keeps them
      assertThat(out[gray.floatsPerImage() + i]).isCloseTo(expected[i], within(0.5f / 255));
    }
  }
}
