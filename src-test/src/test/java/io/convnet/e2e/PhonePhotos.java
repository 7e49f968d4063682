package io.convnet.e2e;

import io.convnet.image.TestImages;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * Phone-sized JPEGs made from a real photo of the data set: upscaled to a phone camera's
 * 4032x3024 (12 MP) and given sensor grain, whose amount and the JPEG quality set the file size
 * as a phone's settings do: {@link #TYPICAL} about 3.5 MB, {@link #TEN_MB} about 10 MB,
 * {@link #TWELVE_MB} about 12.3 MB (JDK's JPEG encoder; a few seconds each).
 */
public final class PhonePhotos {
  public record Kind(String name, int grain, float quality) {
  }

  public static final Kind TYPICAL = new Kind("12 MP", 8, 0.92f);
  public static final Kind TEN_MB = new Kind("12 MP, 10 MB", 42, 0.97f);
  public static final Kind TWELVE_MB = new Kind("12 MP, 12 MB", 56, 0.98f);
  public static final int WIDTH = 4032;
  public static final int HEIGHT = 3024;

  private PhonePhotos() {
  }

  /** The data set's {@code validation/<label>/<label>.1000.jpg} (a drawn stand-in without the data set) as a phone photo. */
  public static byte[] of(String label, Kind kind) {
    Path photo = Path.of(System.getProperty("convnet.datasets", "../shared/datasets"), "cats-vs-dogs", "validation",
        label, label + ".1000.jpg");
    try {
      BufferedImage source = Files.isRegularFile(photo) ? ImageIO.read(photo.toFile()) : drawn(label);
      return TestImages.jpeg(grain(upscale(source), kind.grain()), kind.quality());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static BufferedImage drawn(String label) {
    BufferedImage image = new BufferedImage(180, 180, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setColor(label.equals("cat") ? new Color(200, 160, 120) : new Color(60, 50, 40));
    g.fillRect(0, 0, 180, 180);
    g.dispose();
    return image;
  }

  private static BufferedImage upscale(BufferedImage source) {
    BufferedImage big = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = big.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(source, 0, 0, WIDTH, HEIGHT, null);
    g.dispose();
    return big;
  }

  private static BufferedImage grain(BufferedImage image, int amount) {
    Random random = new Random(amount);
    int[] row = new int[WIDTH];
    for (int y = 0; y < HEIGHT; y++) {
      image.getRGB(0, y, WIDTH, 1, row, 0, WIDTH);
      for (int x = 0; x < WIDTH; x++) {
        int n = random.nextInt(2 * amount + 1) - amount;
        int p = row[x];
        row[x] = clamp((p >> 16 & 255) + n) << 16 | clamp((p >> 8 & 255) + n) << 8 | clamp((p & 255) + n);
      }
      image.setRGB(0, y, WIDTH, 1, row, 0, WIDTH);
    }
    return image;
  }

  private static int clamp(int v) {
    return Math.max(0, Math.min(255, v));
  }
}
