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
import org.tensorflow.op.image.DecodeJpeg;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;

/** The in-graph decoder gives exactly the Java decoder's pixels, image kind by image kind. */
class InGraphDecoderTest {
  private static Graph graph;
  private static Session session;
  private static Placeholder<TString> encoded;
  private static org.tensorflow.Operand<TUint8> decoded;
  /** Decoded for use at 300 wide, 150 high. */
  private static org.tensorflow.Operand<TUint8> forSize;
  private static Map<Integer, org.tensorflow.Operand<TUint8>> reducedBy = new LinkedHashMap<>();

  @BeforeAll
  static void buildGraph() {
    graph = new Graph();
    Ops tf = Ops.create(graph);
    encoded = tf.placeholder(TString.class);
    decoded = InGraphDecoder.rgb(tf, encoded);
    forSize = InGraphDecoder.rgbForSize(tf, encoded, 300, 150);
    for (long r : new long[] {1, 2, 4, 8}) {
      reducedBy.put((int) r, tf.image.decodeJpeg(encoded, DecodeJpeg.channels(3L), DecodeJpeg.ratio(r),
          DecodeJpeg.dctMethod("INTEGER_ACCURATE")));
    }
    session = new Session(graph);
  }

  @AfterAll
  static void close() {
    session.close();
    graph.close();
  }

  static RgbImage decodeInGraph(byte[] bytes) {
    return run(bytes, decoded);
  }

  private static RgbImage run(byte[] bytes, org.tensorflow.Operand<TUint8> op) {
    try (TString t = TString.tensorOfBytes(NdArrays.scalarOfObject(bytes));
        Result r = session.runner().feed(encoded, t).fetch(op).run()) {
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
  void largeJpegsAreDecodedReducedByTheJavaDecodersRuleWhenAskedForASize() {
    RgbImage photo = TestImages.gradient(256, 256);
    // stored 1200x600; for use at 300x150: 1/4 gives 300x150, 1/8 would be too small
    byte[] wide = TestImages.jpeg(io.convnet.image.Resize.bilinear(photo, 1200, 600));
    assertThat(run(wide, forSize)).isEqualTo(run(wide, reducedBy.get(4)));
    // the same stored pixels turned upright by EXIF 6 are 600x1200: only 1/2 (300x600) is wide enough
    byte[] turned = TestImages.withExifOrientation(wide, 6);
    assertThat(run(turned, forSize)).isEqualTo(io.convnet.image.ExifOrientation.apply(run(wide, reducedBy.get(2)), 6));
    // 2400x1200 fits 1/8 (300x150); 500x250 is less than twice the size: decoded in full
    byte[] huge = TestImages.jpeg(io.convnet.image.Resize.bilinear(photo, 2400, 1200));
    assertThat(run(huge, forSize).width()).isEqualTo(300);
    byte[] small = TestImages.jpeg(io.convnet.image.Resize.bilinear(photo, 500, 250));
    assertThat(run(small, forSize)).isEqualTo(ImageDecoder.standard().decode(small, "small"));
    // a PNG and a CMYK JPEG are never reduced
    byte[] png = TestImages.png(io.convnet.image.Resize.bilinear(photo, 1200, 600));
    assertThat(run(png, forSize)).isEqualTo(ImageDecoder.standard().decode(png, "png"));
    byte[] cmyk = TestImages.cmykJpeg(640);
    assertThat(run(cmyk, forSize)).isEqualTo(ImageDecoder.standard().decode(cmyk, "cmyk"));
    // and exactly the pixels of the Java decoder's reduced decode, which training and serving use
    for (byte[] jpeg : List.of(wide, turned, huge, small)) {
      assertThat(run(jpeg, forSize)).isEqualTo(ImageDecoder.standard().decodeForSize(jpeg, "jpeg", 300, 150));
    }
  }

  @Test
  void aGifGivesItsFirstFrameEvenWhenAnimated() throws IOException {
    RgbImage red = RgbImage.blank(24, 16);
    RgbImage blue = RgbImage.blank(24, 16);
    for (int y = 0; y < 16; y++) {
      for (int x = 0; x < 24; x++) {
        red.set(x, y, 0xff0000);
        blue.set(x, y, 0x0000ff);
      }
    }
    RgbImage first = decodeInGraph(animatedGif(red, blue));
    assertThat(first).isEqualTo(red);
  }

  private static byte[] animatedGif(RgbImage... frames) throws IOException {
    javax.imageio.ImageWriter writer = javax.imageio.ImageIO.getImageWritersByFormatName("gif").next();
    var out = new java.io.ByteArrayOutputStream();
    try (var stream = javax.imageio.ImageIO.createImageOutputStream(out)) {
      writer.setOutput(stream);
      writer.prepareWriteSequence(null);
      for (RgbImage frame : frames) {
        writer.writeToSequence(new javax.imageio.IIOImage(frame.toBufferedImage(), null, null), null);
      }
      writer.endWriteSequence();
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
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
