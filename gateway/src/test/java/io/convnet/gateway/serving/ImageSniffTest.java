package io.convnet.gateway.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImageSniffTest {

  static byte[] encoded(String format) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), format, out);
    return out.toByteArray();
  }

  static byte[] ascii(String text, int size) {
    return Arrays.copyOf(text.getBytes(StandardCharsets.ISO_8859_1), size);
  }

  @Test
  void theFormatsClientsSendAreKnownByTheirFirstBytes() throws IOException {
    assertThat(ImageSniff.of(encoded("jpg"))).isEqualTo(ImageSniff.JPEG);
    assertThat(ImageSniff.of(encoded("png"))).isEqualTo(ImageSniff.PNG);
    assertThat(ImageSniff.of(encoded("gif"))).isEqualTo(ImageSniff.GIF);
    assertThat(ImageSniff.of(ascii("GIF87a", 20))).isEqualTo(ImageSniff.GIF);
    assertThat(ImageSniff.of(ascii("RIFF\u0010\0\0\0WEBPVP8L", 30))).isEqualTo(ImageSniff.WEBP);
    for (String brand : new String[] {"heic", "heix", "mif1", "avif"}) {
      assertThat(ImageSniff.of(ascii("\0\0\0\u0018ftyp" + brand, 40))).as(brand).isEqualTo(ImageSniff.HEIF);
    }
  }

  @Test
  void anythingElseIsNotAnImage() throws IOException {
    assertThat(ImageSniff.of(encoded("bmp"))).isEqualTo(ImageSniff.NOT_AN_IMAGE);
    assertThat(ImageSniff.of(ascii("<html><body>", 30))).isEqualTo(ImageSniff.NOT_AN_IMAGE);
    assertThat(ImageSniff.of(ascii("RIFF\0\0\0\0WAVEfmt ", 30))).as("a WAV file").isEqualTo(ImageSniff.NOT_AN_IMAGE);
    assertThat(ImageSniff.of(ascii("\0\0\0\u0018ftypisom", 40))).as("an MP4 video").isEqualTo(ImageSniff.NOT_AN_IMAGE);
    assertThat(ImageSniff.of(new byte[] {(byte) 0xff, (byte) 0xd8})).as("too short").isEqualTo(ImageSniff.NOT_AN_IMAGE);
    assertThat(ImageSniff.of(new byte[0])).isEqualTo(ImageSniff.NOT_AN_IMAGE);
  }
}
