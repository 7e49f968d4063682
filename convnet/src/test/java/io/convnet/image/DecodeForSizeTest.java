package io.convnet.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.convnet.arch.TutorialCnn;
import io.convnet.data.Preprocessing;
import io.convnet.nn.Model;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link ImageDecoder#decodeForSize}: large JPEGs decoded at 1/2..1/8 give the model the same input as a
 * full decode, within a stated tolerance; everything else is the exact decode, bit for bit.
 */
class DecodeForSizeTest {
  /**
   * The tolerance on the model input (0..1 scale, 150x150x3 floats after the manifest's resize) between
   * the reduced and the full decode: mean absolute difference at most 1/255, the largest at most 8/255.
   * Measured on upscaled data-set photos: mean 0.0004-0.0008, max 2-3/255; on a 12 MP mosaic of
   * full-resolution photos (sharp detail): mean 0.0024, max 5/255.
   */
  static final double MEAN_TOLERANCE = 1 / 255.0;
  static final double MAX_TOLERANCE = 8 / 255.0;

  private static final Preprocessing PREP = Preprocessing.rescale(150, 150);
  private static Model model;

  private final ImageDecoder decoder = ImageDecoder.standard();

  @BeforeAll
  static void randomModel() {
    model = new TutorialCnn().define(150, 2).build(16);
  }

  @AfterAll
  static void close() {
    model.close();
  }

  private static Path dataSet() {
    Path data = TestImages.catsVsDogs();
    assumeTrue(data != null && Files.isDirectory(data.resolve("validation/cat")), "cats-vs-dogs data set not found");
    return data;
  }

  private static List<Path> photos(String split, String cls, int n) throws IOException {
    try (Stream<Path> s = Files.list(dataSet().resolve(split).resolve(cls))) {
      return s.sorted().limit(n).toList();
    }
  }

  @Test
  void ratioIsTheLargestThatLeavesTheUprightImageAtLeastTheNeededSize() {
    assertThat(DctScaledJpeg.ratio(4032, 3024, 1, 150, 150)).isEqualTo(8); // 504x378
    assertThat(DctScaledJpeg.ratio(4032, 3024, 6, 150, 150)).isEqualTo(8);
    assertThat(DctScaledJpeg.ratio(4032, 3024, 1, 224, 224)).isEqualTo(8); // 504x378
    assertThat(DctScaledJpeg.ratio(1200, 1200, 1, 150, 150)).isEqualTo(8); // exactly 150
    assertThat(DctScaledJpeg.ratio(1199, 1199, 1, 150, 150)).isEqualTo(8); // rounded up to 150
    assertThat(DctScaledJpeg.ratio(1190, 1190, 1, 150, 150)).isEqualTo(4);
    assertThat(DctScaledJpeg.ratio(299, 299, 1, 150, 150)).isEqualTo(2); // rounded up to 150
    assertThat(DctScaledJpeg.ratio(298, 298, 1, 150, 150)).isEqualTo(1);
    assertThat(DctScaledJpeg.ratio(180, 180, 1, 150, 150)).isEqualTo(1);
    // Stored 1000x250; a model of 224 wide x 100 high. Upright (orientation 1) it could be halved, but
    // turned by EXIF (5..8) it is 250 wide and must not be reduced at all.
    assertThat(DctScaledJpeg.ratio(1000, 250, 1, 224, 100)).isEqualTo(2);
    assertThat(DctScaledJpeg.ratio(1000, 250, 6, 224, 100)).isEqualTo(1);
    assertThat(DctScaledJpeg.ratio(1000, 250, 8, 100, 224)).isEqualTo(2);
  }

  @Test
  void exifTurnedJpegIsReducedForItsUprightSize() {
    byte[] stored = TestImages.jpeg(TestImages.quadrants(1000, 250));
    RgbImage upright = decoder.decodeForSize(stored, "wide.jpg", 224, 100);
    assertThat(upright.width()).isEqualTo(500);
    assertThat(upright.height()).isEqualTo(125);
    RgbImage turned = decoder.decodeForSize(TestImages.withExifOrientation(stored, 6), "turned.jpg", 224, 100);
    assertThat(turned).isEqualTo(decoder.decode(TestImages.withExifOrientation(stored, 6), "turned.jpg"));
    assertThat(turned.width()).isEqualTo(250);
    assertThat(turned.height()).isEqualTo(1000);
    // Orientation 6 turns clockwise: the stored bottom-left (blue) is now top-left.
    assertThat(turned.rgb(20, 20) & 0xff).isGreaterThan(200);
  }

  @Test
  void dataSetPhotosGiveExactlyTodaysPixels() throws IOException {
    for (Path file : photos("train", "cat", 10)) {
      RgbImage exact = decoder.decode(file);
      assertThat(decoder.decodeForSize(file, 150, 150)).isEqualTo(exact);
      assertThat(PREP.load(decoder, file)).isEqualTo(PREP.resize(exact));
      assertThat(PREP.load(decoder, Files.readAllBytes(file), "x")).isEqualTo(PREP.resize(exact));
    }
  }

  @Test
  void jpegsUnderTwiceTheNeededSizeAreNotReduced() {
    byte[] jpeg = TestImages.jpeg(TestImages.gradient(298, 298));
    assertThat(decoder.decodeForSize(jpeg, "x", 150, 150)).isEqualTo(decoder.decode(jpeg, "x"));
  }

  @Test
  void phonePhotosGiveTheModelTheSameInputWithinTolerance() throws IOException {
    List<byte[]> uploads = new ArrayList<>();
    List<Path> sample = new ArrayList<>(photos("validation", "cat", 2));
    sample.addAll(photos("validation", "dog", 2));
    for (Path photo : sample) {
      uploads.add(TestImages.upscaledJpeg(photo, 4032, 3024, 0.92f));
    }
    // Sharp detail at full resolution; and a portrait photo stored landscape with EXIF orientation 6.
    uploads.add(TestImages.mosaicJpeg(photos("validation", "dog", 60), 4032, 3024, 0.95f));
    uploads.add(TestImages.withExifOrientation(TestImages.upscaledJpeg(sample.get(0), 4032, 3024, 0.92f), 6));
    float[] full = new float[PREP.floatsPerImage()];
    float[] reduced = new float[PREP.floatsPerImage()];
    for (byte[] upload : uploads) {
      RgbImage exact = decoder.decode(upload, "upload");
      RgbImage small = decoder.decodeForSize(upload, "upload", 150, 150);
      assertThat(small.width() * small.height()).as("decoded reduced").isLessThan(exact.width() * exact.height() / 60);
      assertThat(small.width() > small.height()).as("orientation").isEqualTo(exact.width() > exact.height());
      PREP.toFloats(PREP.resize(exact), full, 0);
      PREP.toFloats(PREP.load(decoder, upload, "upload"), reduced, 0);
      double sum = 0;
      double max = 0;
      for (int i = 0; i < full.length; i++) {
        double d = Math.abs(full[i] - reduced[i]);
        sum += d;
        max = Math.max(max, d);
      }
      assertThat(sum / full.length).as("mean |difference|").isLessThanOrEqualTo(MEAN_TOLERANCE);
      assertThat(max).as("max |difference|").isLessThanOrEqualTo(MAX_TOLERANCE);
      // A random model (its outputs spread over about 0.47..0.50): the same top-1, probabilities within 0.002.
      float[] p = model.predict(full, 1)[0];
      float[] q = model.predict(reduced, 1)[0];
      assertThat(q[1] > q[0]).as("top-1").isEqualTo(p[1] > p[0]);
      assertThat((double) Math.abs(q[1] - p[1])).isLessThan(0.002);
    }
  }

  @Test
  void embeddedIccProfileIsAppliedOnTheReducedPathAsOnTheFullOne() throws IOException {
    // Smooth, saturated colours, where P3 and sRGB differ most.
    RgbImage colours = RgbImage.blank(1600, 1200);
    for (int y = 0; y < 1200; y++) {
      for (int x = 0; x < 1600; x++) {
        int r = (int) (128 + 120 * Math.sin(x / 190.0));
        int g = (int) (128 + 120 * Math.sin(y / 150.0 + 1));
        int b = (int) (128 + 120 * Math.cos((x + y) / 230.0));
        colours.set(x, y, r << 16 | g << 8 | b);
      }
    }
    byte[] plain = TestImages.jpeg(colours);
    byte[] p3 = TestImages.withIccProfile(plain, displayP3().getData());
    RgbImage fullPlain = PREP.resize(decoder.decode(plain, "plain"));
    RgbImage full = PREP.resize(decoder.decode(p3, "p3"));
    RgbImage reduced = PREP.load(decoder, p3, "p3");
    assertThat(decoder.decodeForSize(p3, "p3", 150, 150).width()).isEqualTo(200);
    double profileEffect = WebpGifHeicTest.meanAbsDiff(full, fullPlain);
    double reducedError = WebpGifHeicTest.meanAbsDiff(reduced, full);
    assertThat(profileEffect).as("the profile matters").isGreaterThan(5);
    assertThat(reducedError).isLessThan(255 * MEAN_TOLERANCE);
  }

  /**
   * Display P3, the profile iPhone photos carry: the sRGB profile's tone curves with P3's primaries
   * (D50-adapted colorants, as in Apple's profile).
   */
  static ICC_Profile displayP3() {
    ICC_Profile p3 = ICC_Profile.getInstance(ICC_Profile.getInstance(ColorSpace.CS_sRGB).getData());
    p3.setData(ICC_Profile.icSigRedColorantTag, xyz(0.515121, 0.241196, -0.001053));
    p3.setData(ICC_Profile.icSigGreenColorantTag, xyz(0.291977, 0.692245, 0.041885));
    p3.setData(ICC_Profile.icSigBlueColorantTag, xyz(0.157104, 0.066574, 0.784073));
    return ICC_Profile.getInstance(p3.getData());
  }

  /** An ICC {@code XYZType} tag: signature, reserved, three s15Fixed16 numbers. */
  private static byte[] xyz(double x, double y, double z) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(20).put("XYZ ".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(0);
    for (double v : new double[] {x, y, z}) {
      b.putInt((int) Math.round(v * 65536));
    }
    return b.array();
  }

  @Test
  void threadsShareTheReducedDecoder() throws Exception {
    byte[] jpeg = TestImages.jpeg(TestImages.gradient(1600, 1200));
    RgbImage expected = decoder.decodeForSize(jpeg, "x", 150, 150);
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<RgbImage>> results = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        results.add(pool.submit(() -> decoder.decodeForSize(jpeg, "x", 150, 150)));
      }
      for (java.util.concurrent.Future<RgbImage> r : results) {
        assertThat(r.get()).isEqualTo(expected);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void progressiveJpegIsReducedWithinTolerance() throws IOException {
    Path photo = photos("validation", "dog", 1).get(0);
    byte[] progressive = TestImages.progressiveJpeg(decoder.decode(TestImages.upscaledJpeg(photo, 1600, 1200, 0.92f), "x")
        .toBufferedImage());
    assertThat(decoder.decodeForSize(progressive, "p", 150, 150).width()).isEqualTo(200);
    RgbImage full = PREP.resize(decoder.decode(progressive, "p"));
    assertThat(WebpGifHeicTest.meanAbsDiff(PREP.load(decoder, progressive, "p"), full)).isLessThan(255 * MEAN_TOLERANCE);
  }

  @Test
  void grayJpegIsReducedToTheSameGray() {
    byte[] gray = TestImages.grayJpeg(1200, 1200, 100);
    RgbImage reduced = decoder.decodeForSize(gray, "gray", 150, 150);
    assertThat(reduced.width()).isEqualTo(150);
    assertThat(reduced).isEqualTo(PREP.resize(decoder.decode(gray, "gray")));
  }

  @Test
  void cmykJpegTakesTheExactPath() {
    byte[] cmyk = TestImages.cmykJpeg(1200);
    assertThat(decoder.decodeForSize(cmyk, "cmyk", 150, 150)).isEqualTo(decoder.decode(cmyk, "cmyk"));
  }

  @Test
  void brokenLargeJpegsAreJudgedAsTheExactDecodeJudgesThem() {
    byte[] whole = TestImages.jpeg(TestImages.gradient(1600, 1200));
    assertThatThrownBy(() -> decoder.decodeForSize(TestImages.truncated(whole, 0.6), "cut.jpg", 150, 150))
        .hasMessageStartingWith("cut.jpg: truncated JPEG");
    byte[] noEndMarker = TestImages.truncated(whole, (whole.length - 2.0) / whole.length);
    assertThat(decoder.decodeForSize(noEndMarker, "no-eoi", 150, 150)).isEqualTo(decoder.decode(whole, "whole"));
  }

  @Test
  void tenMegabyte48MegapixelJpegDecodesWithinTheDefaultLimits() throws IOException {
    byte[] jpeg = TestImages.mosaicJpeg(photos("validation", "cat", 100), 8064, 6048, 0.80f);
    assertThat(jpeg.length).isGreaterThan(10_000_000);
    RgbImage image = ImageDecoder.standard().decodeForSize(jpeg, "48mp.jpg", 150, 150);
    assertThat(image.width()).isEqualTo(1008);
    assertThat(image.height()).isEqualTo(756);
  }

  @Test
  void limitsAreCheckedBeforeAReducedDecode() {
    ImageDecoder small = new ImageDecoder(new ImageDecoder.Limits(64L << 20, 16_384, 1_000_000));
    byte[] jpeg = TestImages.jpeg(TestImages.gradient(1600, 1200));
    assertThatThrownBy(() -> small.decodeForSize(jpeg, "big.jpg", 150, 150))
        .hasMessageStartingWith("big.jpg: image is 1600x1200 pixels, more than the limit");
  }

  @Test
  void targetSizeMustBePositive() {
    assertThatThrownBy(() -> decoder.decodeForSize(new byte[] {1}, "x", 0, 150))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
