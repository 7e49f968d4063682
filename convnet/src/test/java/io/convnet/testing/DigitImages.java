package io.convnet.testing;

import io.convnet.image.RgbImage;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.font.GlyphVector;
import java.awt.geom.AffineTransform;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * Digits drawn with Java2D's fonts: "photos" (any ink on any paper, with noise) for the digit normaliser,
 * and small MNIST-like folders ({@code <dir>/{train,validation}/{0..9}/*.png}, 28x28 light on black, the
 * digits at varied sizes, positions, slants and stroke widths) that a LeNet learns in seconds.
 */
public final class DigitImages {
  private static final String[] FONTS = {Font.SANS_SERIF, Font.SERIF, Font.MONOSPACED};

  private DigitImages() {}

  /**
   * {@code digit} in {@code ink} on {@code paper} (0xRRGGBB), {@code height * 0.6} pixels tall, centred at
   * ({@code cx}, {@code cy}), plus Gaussian noise of {@code noise} levels per channel.
   */
  public static RgbImage photo(int digit, int width, int height, int ink, int paper, double cx, double cy,
      double noise, long seed) {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(new Color(paper));
    g.fillRect(0, 0, width, height);
    draw(g, digit, Font.SANS_SERIF, height * 0.6, cx, cy, 0, Math.max(1, height / 40f), new Color(ink));
    g.dispose();
    RgbImage out = RgbImage.of(img);
    Random r = new Random(seed);
    byte[] p = out.pixels();
    for (int i = 0; i < p.length && noise > 0; i++) {
      p[i] = (byte) Math.max(0, Math.min(255, Math.round((p[i] & 0xff) + r.nextGaussian() * noise)));
    }
    return out;
  }

  /** A 28x28 light-on-black digit with a random font, size, position, slant and stroke. */
  public static BufferedImage mnistLike(int digit, Random r) {
    BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
    Graphics2D g = img.createGraphics();
    draw(g, digit, FONTS[r.nextInt(FONTS.length)], 15 + r.nextInt(6), 14 + r.nextGaussian(), 14 + r.nextGaussian(),
        r.nextGaussian() * 0.15, 0.5f + r.nextFloat() * 1.5f, Color.WHITE);
    g.dispose();
    return img;
  }

  /** {@code <root>/train/<d>/<d>.<i>.png} ({@code train} per class) and {@code validation} likewise. */
  public static Path mnistLikeFolder(Path root, int train, int validation, long seed) {
    Random r = new Random(seed);
    try {
      for (String split : new String[] {"train", "validation"}) {
        for (int d = 0; d < 10; d++) {
          Path dir = Files.createDirectories(root.resolve(split).resolve(Integer.toString(d)));
          for (int i = 0; i < (split.equals("train") ? train : validation); i++) {
            ImageIO.write(mnistLike(d, r), "png", dir.resolve(d + "." + i + ".png").toFile());
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return root;
  }

  private static void draw(Graphics2D g, int digit, String font, double size, double cx, double cy, double shear,
      float stroke, Color ink) {
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
    GlyphVector glyph = new Font(font, Font.PLAIN, 100).createGlyphVector(g.getFontRenderContext(),
        Integer.toString(digit));
    Rectangle2D bounds = glyph.getVisualBounds();
    double s = size / bounds.getHeight();
    AffineTransform t = new AffineTransform();
    t.translate(cx, cy);
    t.shear(-shear, 0);
    t.scale(s, s);
    t.translate(-bounds.getCenterX(), -bounds.getCenterY());
    g.setColor(ink);
    java.awt.Shape outline = t.createTransformedShape(glyph.getOutline());
    g.fill(outline);
    g.setStroke(new BasicStroke(stroke));
    g.draw(outline);
  }
}
