package io.convnet.ingraph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.convnet.image.ImageDecoder;
import io.convnet.image.RgbImage;
import io.convnet.image.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;

/**
 * MNIST digits come through the in-graph normalisation as the recipe says they must: a data-set digit
 * whose ink box is already 20 on the longer side is not resized, only stretched to a peak of 255 (the PNGs
 * peak at 253-254) and placed by its centre of mass, also when drawn dark on light paper in a larger
 * picture; the model input is that field padded to 32x32.
 */
class InGraphMnistDigitsTest {
  private static Graph graph;
  private static Session session;
  private static Placeholder<TString> encoded;
  private static Operand<TFloat32> input;

  @BeforeAll
  static void buildGraph() {
    graph = new Graph();
    Ops tf = Ops.create(graph);
    encoded = tf.placeholder(TString.class);
    input = new InGraphPreprocessing(32, 32, InGraphPreprocessing.Kind.MNIST).fromEncoded(tf, encoded);
    session = new Session(graph);
  }

  @AfterAll
  static void close() {
    session.close();
    graph.close();
  }

  /** The model input as 0..255 levels, 32x32. */
  private static int[] levels(byte[] image) {
    try (TString t = TString.tensorOfBytes(NdArrays.scalarOfObject(image));
        Result r = session.runner().feed(encoded, t).fetch(input).run()) {
      TFloat32 x = (TFloat32) r.get(0);
      assertThat(x.shape().asArray()).containsExactly(32, 32, 1);
      float[] v = new float[1024];
      x.copyTo(DataBuffers.of(v, false, false));
      int[] out = new int[v.length];
      for (int i = 0; i < v.length; i++) {
        out[i] = Math.round(v[i] * 255);
        assertThat(v[i]).isEqualTo(out[i] * (1f / 255f));
      }
      return out;
    }
  }

  /**
   * What the recipe makes of a data-set digit whose ink box is already 20 on the longer side: the box's
   * values stretched ({@code Math.round(v * 255.0 / peak)}), pasted so that the centre of mass rounds to
   * (14, 14), padded by 2 to 32x32.
   */
  private static int[] expected(RgbImage digit) {
    int[] box = inkBox(digit);
    int peak = peak(digit);
    int h = box[2] - box[0] + 1;
    int w = box[3] - box[1] + 1;
    int[] v = new int[h * w];
    double mass = 0;
    double rows = 0;
    double cols = 0;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int s = (int) Math.round(digit.get(box[1] + x, box[0] + y, 0) * 255.0 / peak);
        v[y * w + x] = s;
        mass += s;
        rows += (double) s * y;
        cols += (double) s * x;
      }
    }
    int top = (int) Math.round(14 - rows / mass) + 2;
    int left = (int) Math.round(14 - cols / mass) + 2;
    int[] out = new int[1024];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int oy = top + y;
        int ox = left + x;
        if (oy >= 2 && oy < 30 && ox >= 2 && ox < 30) {
          out[oy * 32 + ox] = v[y * w + x];
        }
      }
    }
    return out;
  }

  /** {top, left, bottom, right} of the pixels above 0. */
  private static int[] inkBox(RgbImage digit) {
    int top = 28;
    int bottom = -1;
    int left = 28;
    int right = -1;
    for (int y = 0; y < 28; y++) {
      for (int x = 0; x < 28; x++) {
        if (digit.get(x, y, 0) > 0) {
          top = Math.min(top, y);
          bottom = Math.max(bottom, y);
          left = Math.min(left, x);
          right = Math.max(right, x);
        }
      }
    }
    return new int[] {top, left, bottom, right};
  }

  /** Whether the digit's ink box is 20 on its longer side (what the data set's digits were scaled to). */
  private static boolean boxedTo20(RgbImage digit) {
    int[] box = inkBox(digit);
    return Math.max(box[2] - box[0], box[3] - box[1]) + 1 == 20;
  }

  private static List<Path> digits(int perClass) throws IOException {
    String root = System.getProperty("convnet.datasets");
    assumeTrue(root != null && Files.isDirectory(Paths.get(root, "mnist", "validation")), "MNIST not found");
    List<Path> out = new ArrayList<>();
    for (int d = 0; d < 10; d++) {
      try (Stream<Path> files = Files.list(Paths.get(root, "mnist", "validation", Integer.toString(d)))) {
        out.addAll(files.sorted().limit(perClass).toList());
      }
    }
    return out;
  }

  private static int peak(RgbImage digit) {
    int max = 0;
    for (byte b : digit.pixels()) {
      max = Math.max(max, b & 0xff);
    }
    return max;
  }

  @Test
  void mnistDigitsAreOnlyStretchedAndPaddedTo32() throws IOException {
    int tested = 0;
    for (Path file : digits(10)) {
      byte[] png = Files.readAllBytes(file);
      RgbImage digit = ImageDecoder.standard().decode(png, file.toString());
      if (!boxedTo20(digit)) {
        continue; // scaled to the box: the expectation would need the resize itself
      }
      assertThat(levels(png)).as(file.toString()).containsExactly(expected(digit));
      tested++;
    }
    assertThat(tested).isGreaterThan(50);
  }

  @Test
  void aDarkDigitOnLightPaperInALargerPictureBecomesTheMnistDigit() throws IOException {
    int tested = 0;
    for (Path file : digits(3)) {
      RgbImage digit = ImageDecoder.standard().decode(Files.readAllBytes(file), file.toString());
      if (!boxedTo20(digit)) {
        continue;
      }
      // ink (255 - v) on white paper, somewhere in a 120x90 photo, as a JPEG would be too lossy: PNG
      RgbImage paper = RgbImage.blank(120, 90);
      java.util.Arrays.fill(paper.pixels(), (byte) 255);
      for (int y = 0; y < 28; y++) {
        for (int x = 0; x < 28; x++) {
          int v = 255 - digit.get(x, y, 0);
          paper.set(70 + x, 15 + y, v << 16 | v << 8 | v);
        }
      }
      assertThat(levels(TestImages.png(paper))).as(file.toString()).containsExactly(expected(digit));
      tested++;
    }
    assertThat(tested).isGreaterThan(15);
  }

  @Test
  void aPictureWithoutInkGivesABlackInput() {
    assertThat(levels(TestImages.png(RgbImage.blank(40, 30)))).containsOnly(0);
    RgbImage gray = RgbImage.blank(40, 30);
    java.util.Arrays.fill(gray.pixels(), (byte) 128);
    assertThat(levels(TestImages.png(gray))).containsOnly(0);
  }

  @Test
  void aLargeOrNoisyDigitIsScaledToTheBoxAndCentred() {
    // a thick bar 200 high, 40 wide, on noisy gray paper: the box becomes 20 high, 4 wide, centred
    java.util.Random random = new java.util.Random(3);
    RgbImage photo = RgbImage.blank(300, 260);
    for (int y = 0; y < 260; y++) {
      for (int x = 0; x < 300; x++) {
        boolean ink = x >= 130 && x < 170 && y >= 30 && y < 230;
        int v = ink ? 20 + random.nextInt(10) : 200 + random.nextInt(11);
        photo.set(x, y, v << 16 | v << 8 | v);
      }
    }
    int[] in = levels(TestImages.png(photo));
    int top = 32;
    int bottom = -1;
    int left = 32;
    int right = -1;
    long mass = 0;
    for (int y = 0; y < 32; y++) {
      for (int x = 0; x < 32; x++) {
        if (in[y * 32 + x] > 0) {
          top = Math.min(top, y);
          bottom = Math.max(bottom, y);
          left = Math.min(left, x);
          right = Math.max(right, x);
          mass += in[y * 32 + x];
        }
      }
    }
    assertThat(bottom - top + 1).isEqualTo(20);
    assertThat(right - left + 1).isBetween(4, 5);
    assertThat((top + bottom) / 2.0).isCloseTo(16.0, org.assertj.core.api.Assertions.within(1.0));
    assertThat((left + right) / 2.0).isCloseTo(16.0, org.assertj.core.api.Assertions.within(1.0));
    assertThat(mass).isGreaterThan(0);
    assertThat(java.util.Arrays.stream(in).max().orElse(0)).isEqualTo(255);
  }
}
