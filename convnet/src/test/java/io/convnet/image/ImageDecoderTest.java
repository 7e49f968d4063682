package io.convnet.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImageDecoderTest {
  private final ImageDecoder decoder = ImageDecoder.standard();

  @TempDir Path dir;

  private static Path realJpeg() {
    Path data = TestImages.catsVsDogs();
    assumeTrue(data != null && Files.isDirectory(data.resolve("train/cat")), "cats-vs-dogs data set not found");
    return data.resolve("train/cat/cat.100.jpg");
  }

  private Path write(String name, byte[] bytes) throws IOException {
    return Files.write(dir.resolve(name), bytes);
  }

  @Test
  void decodesARealJpegExactlyAsTheJdkReaderDoes() throws IOException {
    Path file = realJpeg();
    RgbImage image = decoder.decode(file);
    BufferedImage reference = ImageIO.read(file.toFile());
    assertThat(image.width()).isEqualTo(180);
    assertThat(image.height()).isEqualTo(180);
    for (int y = 0; y < 180; y += 7) {
      for (int x = 0; x < 180; x += 5) {
        assertThat(image.rgb(x, y)).isEqualTo(reference.getRGB(x, y) & 0xffffff);
      }
    }
  }

  @Test
  void sniffsTheFormatNotTheFileName() throws IOException {
    RgbImage source = TestImages.quadrants(16, 16);
    RgbImage fromPngNamedJpg = decoder.decode(write("really-a-png.jpg", TestImages.png(source)));
    assertThat(fromPngNamedJpg).isEqualTo(source);
  }

  @Test
  void zeroByteFile() throws IOException {
    Path file = write("empty.jpg", new byte[0]);
    assertThatThrownBy(() -> decoder.decode(file))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessage(file + ": zero-byte file");
  }

  @Test
  void textFileNamedJpg() throws IOException {
    Path file = write("notes.jpg", "hello, this is not an image\n".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> decoder.decode(file))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageStartingWith(file.toString())
        .hasMessageContaining("not a JPEG or PNG image (unknown format)")
        .hasMessageNotContaining("hello");
  }

  @Test
  void otherImageFormatsAreNamed() {
    byte[] bmp = "BM\u0036\u0000\u0000\u0000".getBytes(StandardCharsets.ISO_8859_1);
    assertThatThrownBy(() -> decoder.decode(bmp, "request part 'image'"))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessage("request part 'image': not a JPEG or PNG image (looks like a BMP image)")
        .satisfies(e -> assertThat(((ImageDecodeException) e).problem())
            .isEqualTo("not a JPEG or PNG image (looks like a BMP image)"));
    // GIF is decoded now: a header alone is a truncated GIF.
    byte[] gifHeader = "GIF89a\u0001\u0000\u0001\u0000".getBytes(StandardCharsets.ISO_8859_1);
    assertThatThrownBy(() -> decoder.decode(gifHeader, "anim.gif"))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageStartingWith("anim.gif: truncated GIF");
    byte[] binary = {0, 1, 2, (byte) 0xfe};
    assertThatThrownBy(() -> decoder.decode(binary, "body"))
        .hasMessage("body: not a JPEG or PNG image (unknown format)");
  }

  @ParameterizedTest
  @CsvSource({"0.5", "0.9", "0.1", "0.01"})
  void truncatedJpeg(double fraction) throws IOException {
    byte[] whole = TestImages.jpeg(TestImages.gradient(180, 180));
    Path file = write("cut.jpg", TestImages.truncated(whole, fraction));
    assertThatThrownBy(() -> decoder.decode(file))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageStartingWith(file + ": truncated JPEG");
  }

  @Test
  void truncatedProgressiveJpeg() {
    byte[] progressive = TestImages.progressiveJpeg(TestImages.gradient(180, 180).toBufferedImage());
    assertThat(decoder.decode(progressive, "progressive.jpg").width()).isEqualTo(180);
    assertThatThrownBy(() -> decoder.decode(TestImages.truncated(progressive, 0.7), "progressive.jpg"))
        .hasMessageStartingWith("progressive.jpg: truncated JPEG");
  }

  @Test
  void truncatedRealJpeg() throws IOException {
    Path file = write("cat-cut.jpg", TestImages.truncated(Files.readAllBytes(realJpeg()), 0.6));
    assertThatThrownBy(() -> decoder.decode(file)).hasMessageStartingWith(file + ": truncated JPEG");
  }

  @Test
  void jpegWithDamagedDataButAnEndMarkerIsCorrupt() {
    byte[] jpeg = TestImages.jpeg(TestImages.gradient(180, 180));
    for (int i = jpeg.length / 2; i < jpeg.length / 2 + 300; i++) {
      jpeg[i] = (byte) 0xff;
    }
    assertThatThrownBy(() -> decoder.decode(jpeg, "x.jpg")).hasMessageStartingWith("x.jpg: corrupt JPEG");
  }

  @Test
  void jpegMissingOnlyItsEndMarkerIsRecovered() {
    RgbImage source = TestImages.gradient(64, 64);
    byte[] whole = TestImages.jpeg(source);
    RgbImage complete = decoder.decode(whole, "whole");
    RgbImage recovered = decoder.decode(TestImages.truncated(whole, (whole.length - 2.0) / whole.length), "no-eoi");
    assertThat(recovered).isEqualTo(complete);
  }

  @Test
  void truncatedAndCorruptPng() {
    byte[] png = TestImages.png(TestImages.gradient(120, 120));
    assertThatThrownBy(() -> decoder.decode(TestImages.truncated(png, 0.5), "cut.png"))
        .hasMessageStartingWith("cut.png: truncated PNG");
    byte[] garbled = png.clone();
    for (int i = 100; i < 400; i++) {
      garbled[i] ^= 0x5a;
    }
    assertThatThrownBy(() -> decoder.decode(garbled, "bad.png")).hasMessageStartingWith("bad.png: corrupt PNG");
  }

  @Test
  void cmykAndYcckJpegs() {
    for (byte[] jpeg : new byte[][] {TestImages.cmykJpeg(64), TestImages.ycckJpeg(64)}) {
      RgbImage image = decoder.decode(jpeg, "cmyk.jpg");
      assertClose(image.rgb(10, 10), 0xffffff); // paper
      assertClose(image.rgb(50, 10), 0x00ffff); // cyan
      assertClose(image.rgb(10, 50), 0x000000); // black
      assertClose(image.rgb(50, 50), 0xff0000); // magenta + yellow
    }
  }

  @ParameterizedTest(name = "EXIF orientation {0}")
  @CsvSource({
    // tag, width, height, then the colours of the top-left, top-right, bottom-left, bottom-right quadrants
    "1, 40, 20, ff0000, 00ff00, 0000ff, ffffff",
    "2, 40, 20, 00ff00, ff0000, ffffff, 0000ff",
    "3, 40, 20, ffffff, 0000ff, 00ff00, ff0000",
    "4, 40, 20, 0000ff, ffffff, ff0000, 00ff00",
    "5, 20, 40, ff0000, 0000ff, 00ff00, ffffff",
    "6, 20, 40, 0000ff, ff0000, ffffff, 00ff00",
    "7, 20, 40, ffffff, 00ff00, 0000ff, ff0000",
    "8, 20, 40, 00ff00, ffffff, ff0000, 0000ff"
  })
  void exifOrientation(int tag, int width, int height, String tl, String tr, String bl, String br) {
    byte[] jpeg = TestImages.withExifOrientation(TestImages.jpeg(TestImages.quadrants(40, 20)), tag);
    assertThat(ExifOrientation.read(jpeg)).isEqualTo(tag);
    RgbImage image = decoder.decode(jpeg, "exif.jpg");
    assertThat(image.width()).isEqualTo(width);
    assertThat(image.height()).isEqualTo(height);
    assertClose(image.rgb(width / 4, height / 4), Integer.parseInt(tl, 16));
    assertClose(image.rgb(3 * width / 4, height / 4), Integer.parseInt(tr, 16));
    assertClose(image.rgb(width / 4, 3 * height / 4), Integer.parseInt(bl, 16));
    assertClose(image.rgb(3 * width / 4, 3 * height / 4), Integer.parseInt(br, 16));
  }

  @Test
  void grayPngIsReplicatedWithoutGammaChange() {
    RgbImage image = decoder.decode(TestImages.grayPng(32, 16), "gray.png");
    for (int y = 0; y < 16; y++) {
      for (int x = 0; x < 32; x++) {
        int v = (x + y * 32) % 256;
        assertThat(image.rgb(x, y)).isEqualTo(v << 16 | v << 8 | v);
      }
    }
  }

  @Test
  void grayJpegKeepsItsValues() {
    RgbImage image = decoder.decode(TestImages.grayJpeg(16, 16, 100), "gray.jpg");
    assertThat(image.get(8, 8, 0)).isBetween(98, 102);
    assertThat(image.get(8, 8, 1)).isEqualTo(image.get(8, 8, 0));
    assertThat(image.get(8, 8, 2)).isEqualTo(image.get(8, 8, 0));
  }

  @Test
  void sixteenBitPngsAreRoundedTo8Bits() {
    assertThat(decoder.decode(TestImages.gray16Png(8, 8, 0x8080), "g16.png").rgb(3, 3)).isEqualTo(0x808080);
    assertThat(decoder.decode(TestImages.gray16Png(8, 8, 65535), "g16.png").rgb(3, 3)).isEqualTo(0xffffff);
    RgbImage rgb = decoder.decode(TestImages.rgb16Png(8, 8, 65535, 32768, 257), "rgb16.png");
    assertThat(rgb.rgb(5, 5)).isEqualTo(0xff8001);
  }

  @Test
  void alphaIsCompositedOnWhite() {
    RgbImage transparent = decoder.decode(TestImages.rgbaPng(8, 4, 0x000000, 0), "rgba.png");
    assertThat(transparent.rgb(1, 1)).isEqualTo(0x000000);
    assertThat(transparent.rgb(6, 1)).isEqualTo(0xffffff);
    RgbImage half = decoder.decode(TestImages.rgbaPng(8, 4, 0xff0000, 128), "rgba.png");
    assertThat(half.rgb(6, 1)).isEqualTo(0xff7f7f);
    RgbImage grayAlpha = decoder.decode(TestImages.grayAlphaPng(4, 4, 0, 51), "ga.png");
    assertThat(grayAlpha.rgb(1, 1)).isEqualTo(0xcccccc);
  }

  @Test
  void palettePngWithTransparency() {
    RgbImage image = decoder.decode(TestImages.palettePng(6, 2), "palette.png");
    assertThat(image.rgb(0, 0)).isEqualTo(0xff0000);
    assertThat(image.rgb(1, 0)).isEqualTo(0x00ff00);
    assertThat(image.rgb(2, 1)).isEqualTo(0xffffff);
  }

  @Test
  void refusesImagesOverTheSizeLimitsBeforeDecoding() {
    ImageDecoder small = new ImageDecoder(new ImageDecoder.Limits(1 << 20, 100, 5000));
    assertThatThrownBy(() -> small.decode(TestImages.png(TestImages.gradient(200, 10)), "wide.png"))
        .hasMessage("wide.png: image is 200x10 pixels, more than the limit of 100 pixels a side and 0.0 megapixels");
    assertThatThrownBy(() -> small.decode(TestImages.jpeg(TestImages.gradient(80, 80)), "big.jpg"))
        .hasMessageContaining("image is 80x80 pixels");
    assertThatThrownBy(() -> small.decode(new byte[(1 << 20) + 1], "huge"))
        .hasMessageContaining("bytes, more than the limit of 1048576 bytes");
  }

  @Test
  void sizeRefusalsAreTypedAsTooLargeAndOtherFailuresAreNot() {
    ImageDecoder small = new ImageDecoder(new ImageDecoder.Limits(1 << 20, 100, 5000));
    assertThatThrownBy(() -> small.decode(TestImages.png(TestImages.gradient(200, 10)), "wide.png"))
        .isInstanceOf(ImageTooLargeException.class);
    assertThatThrownBy(() -> small.decode(new byte[(1 << 20) + 1], "huge")).isInstanceOf(ImageTooLargeException.class);
    assertThatThrownBy(() -> small.decode("not an image".getBytes(java.nio.charset.StandardCharsets.US_ASCII), "text"))
        .isInstanceOf(ImageDecodeException.class).isNotInstanceOf(ImageTooLargeException.class);
  }

  @Test
  void refusesADecompressionBomb() {
    // A 1x1 PNG whose header claims 60000 x 60000 pixels (10.8 GB as RGB).
    byte[] png = TestImages.png(TestImages.gradient(1, 1));
    writeInt(png, 16, 60_000);
    writeInt(png, 20, 60_000);
    CRC32 crc = new CRC32();
    crc.update(png, 12, 17);
    writeInt(png, 29, (int) crc.getValue());
    assertThatThrownBy(() -> decoder.decode(png, "bomb.png"))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageStartingWith("bomb.png: image is 60000x60000 pixels, more than the limit");
  }

  @Test
  void missingFile() {
    Path file = dir.resolve("nope.jpg");
    assertThatThrownBy(() -> decoder.decode(file)).hasMessage(file + ": no such file");
  }

  private static void writeInt(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 24);
    b[at + 1] = (byte) (v >>> 16);
    b[at + 2] = (byte) (v >>> 8);
    b[at + 3] = (byte) v;
  }

  private static void assertClose(int actual, int expected) {
    for (int shift = 0; shift <= 16; shift += 8) {
      assertThat(actual >> shift & 0xff)
          .as("channel at bit %d of %06x vs %06x", shift, actual, expected)
          .isCloseTo(expected >> shift & 0xff, org.assertj.core.data.Offset.offset(12));
    }
  }
}
