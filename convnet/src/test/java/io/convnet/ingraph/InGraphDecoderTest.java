package io.convnet.ingraph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.convnet.image.ImageDecoder;
import io.convnet.image.RgbImage;
import io.convnet.image.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;

/** The in-graph decoder gives exactly the Java decoder's pixels, image kind by image kind. */
class InGraphDecoderTest {
  private static Graph graph;
  private static Session session;
  private static Placeholder<TString> encoded;
  private static org.tensorflow.Operand<TUint8> decoded;

  @BeforeAll
  static void buildGraph() {
    graph = new Graph();
    Ops tf = Ops.create(graph);
    encoded = tf.placeholder(TString.class);
    decoded = InGraphDecoder.rgb(tf, encoded);
    session = new Session(graph);
  }

  @AfterAll
  static void close() {
    session.close();
    graph.close();
  }

  static RgbImage decodeInGraph(byte[] bytes) {
    try (TString t = TString.tensorOfBytes(NdArrays.scalarOfObject(bytes));
        Result r = session.runner().feed(encoded, t).fetch(decoded).run()) {
      TUint8 x = (TUint8) r.get(0);
      byte[] pixels = new byte[Math.toIntExact(x.size())];
      x.copyTo(DataBuffers.of(pixels, false, false));
      return new RgbImage((int) x.shape().get(1), (int) x.shape().get(0), pixels);
    }
  }

  private static void assertSamePixels(String what, byte[] bytes) {
    RgbImage java = ImageDecoder.standard().decode(bytes, what);
    assertThat(decodeInGraph(bytes)).as(what).isEqualTo(java);
  }

  @Test
  void everyKindOfPngAndJpegDecodesToTheJavaPixels() {
    Map<String, byte[]> images = new LinkedHashMap<>();
    images.put("RGB JPEG", TestImages.jpeg(TestImages.gradient(40, 30)));
    images.put("RGB PNG", TestImages.png(TestImages.gradient(40, 30)));
    images.put("gray PNG", TestImages.grayPng(20, 10));
    images.put("16-bit gray PNG", TestImages.gray16Png(20, 10, 40_000));
    images.put("16-bit RGB PNG (TensorFlow alone would truncate 1000 to 3, Java rounds to 4)",
        TestImages.rgb16Png(20, 10, 40_000, 1000, 65_535));
    images.put("RGBA PNG", TestImages.rgbaPng(20, 10, 0x336699, 100));
    images.put("gray+alpha PNG", TestImages.grayAlphaPng(20, 10, 60, 100));
    images.put("palette PNG with transparency", TestImages.palettePng(20, 10));
    images.put("gray JPEG", TestImages.grayJpeg(20, 10, 77));
    images.put("CMYK JPEG", TestImages.cmykJpeg(16));
    images.put("YCCK JPEG", TestImages.ycckJpeg(16));
    images.forEach(InGraphDecoderTest::assertSamePixels);
  }

  @Test
  void exifOrientationIsAppliedLikeJava() {
    byte[] jpeg = TestImages.jpeg(TestImages.quadrants(24, 16));
    for (int tag = 1; tag <= 8; tag++) {
      byte[] oriented = TestImages.withExifOrientation(jpeg, tag);
      assertSamePixels("EXIF orientation " + tag, oriented);
      assertThat(decodeInGraph(oriented).width()).as("tag " + tag).isEqualTo(tag >= 5 ? 16 : 24);
    }
    assertSamePixels("out-of-range orientation 9 (ignored)", TestImages.withExifOrientation(jpeg, 9));
  }

  @Test
  void realPhotosDecodeExactlyAsInJava() throws IOException {
    Path data = TestImages.catsVsDogs();
    assumeTrue(data != null && Files.isDirectory(data.resolve("validation/cat")), "cats-vs-dogs data set not found");
    for (String label : List.of("cat", "dog")) {
      try (Stream<Path> files = Files.list(data.resolve("validation").resolve(label))) {
        for (Path f : files.sorted().limit(10).toList()) {
          byte[] bytes = Files.readAllBytes(f);
          assertSamePixels(f.toString(), bytes);
          assertSamePixels(f + " with EXIF orientation 6", TestImages.withExifOrientation(bytes, 6));
        }
      }
    }
  }

  @Test
  void whatJavaRefusesFailsInTheGraphToo() {
    assertThatThrownBy(() -> decodeInGraph("not an image".getBytes()))
        .isInstanceOf(TFInvalidArgumentException.class).hasMessageContaining("Unknown image file format");
    assertThatThrownBy(() -> decodeInGraph(new byte[0])).isInstanceOf(TFInvalidArgumentException.class);
    byte[] jpeg = TestImages.jpeg(TestImages.gradient(64, 64));
    assertThatThrownBy(() -> decodeInGraph(TestImages.truncated(jpeg, 0.5)))
        .isInstanceOf(TFInvalidArgumentException.class);
  }
}
