package io.convnet.viz;

import io.convnet.image.RgbImage;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * PNG output with Java2D: labelled grids of tiles (feature maps, filters) and heat maps, colour mapped
 * with viridis and alpha-blended over the input.
 */
public final class Rendering {
  private static final Color BACKGROUND = new Color(0xf4f4f4);
  private static final Color INK = new Color(0x222222);
  private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 14);
  private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
  private static final int PAD = 6;

  private Rendering() {}

  /** One tile of a grid: an image and up to two caption lines under it. */
  public record Tile(BufferedImage image, List<String> caption) {}

  /** One row of a grid: a label on its left and its tiles. */
  public record Row(List<String> label, List<Tile> tiles) {}

  /**
   * A grid: a title line, then rows of square {@code tileSize} tiles (each image scaled to fit, nearest
   * neighbour when enlarging so that pixels stay honest), each row labelled on the left.
   */
  public static BufferedImage grid(String title, List<Row> rows, int tileSize) {
    int captionLines = rows.stream().flatMap(r -> r.tiles().stream()).mapToInt(t -> t.caption().size()).max().orElse(0);
    int columns = rows.stream().mapToInt(r -> r.tiles().size()).max().orElse(1);
    int labelWidth = 0;
    BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
    Graphics2D pg = probe.createGraphics();
    FontMetrics fm = pg.getFontMetrics(LABEL);
    for (Row r : rows) {
      for (String s : r.label()) {
        labelWidth = Math.max(labelWidth, fm.stringWidth(s));
      }
    }
    int titleWidth = pg.getFontMetrics(TITLE).stringWidth(title);
    pg.dispose();
    int lineHeight = fm.getHeight();
    int cellH = tileSize + captionLines * lineHeight + PAD;
    int left = labelWidth + 2 * PAD;
    int top = 2 * PAD + 18;
    int width = Math.max(left + columns * (tileSize + PAD) + PAD, titleWidth + 2 * PAD);
    int height = top + rows.size() * cellH + PAD;
    BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      hints(g);
      g.setColor(BACKGROUND);
      g.fillRect(0, 0, width, height);
      g.setColor(INK);
      g.setFont(TITLE);
      g.drawString(title, PAD, PAD + 14);
      g.setFont(LABEL);
      for (int r = 0; r < rows.size(); r++) {
        int y = top + r * cellH;
        Row row = rows.get(r);
        for (int i = 0; i < row.label().size(); i++) {
          g.drawString(row.label().get(i), PAD, y + lineHeight * (i + 1));
        }
        for (int c = 0; c < row.tiles().size(); c++) {
          Tile t = row.tiles().get(c);
          int x = left + c * (tileSize + PAD);
          drawFitted(g, t.image(), x, y, tileSize);
          for (int i = 0; i < t.caption().size(); i++) {
            g.drawString(t.caption().get(i), x, y + tileSize + lineHeight * (i + 1) - 3);
          }
        }
      }
    } finally {
      g.dispose();
    }
    return out;
  }

  private static void drawFitted(Graphics2D g, BufferedImage img, int x, int y, int size) {
    double s = (double) size / Math.max(img.getWidth(), img.getHeight());
    int w = (int) Math.round(img.getWidth() * s);
    int h = (int) Math.round(img.getHeight() * s);
    Object interpolation = s >= 1 ? RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR
        : RenderingHints.VALUE_INTERPOLATION_BILINEAR;
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, interpolation);
    g.drawImage(img, x + (size - w) / 2, y + (size - h) / 2, w, h, null);
  }

  private static void hints(Graphics2D g) {
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
  }

  /** A {@code width x height} map with values in [0, 1], coloured with viridis. */
  public static BufferedImage colormapped(float[] map, int width, int height) {
    BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        out.setRGB(x, y, Colormap.viridis(map[y * width + x]));
      }
    }
    return out;
  }

  /**
   * The heat map (values in [0, 1], the image's size) over the image: each pixel blends the image with
   * the map's colour, more where the map is high ({@code alpha = 0.25 + 0.5 * v}).
   */
  public static BufferedImage overlay(RgbImage image, float[] map) {
    int w = image.width();
    int h = image.height();
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        float v = Math.max(0, Math.min(1, map[y * w + x]));
        float a = 0.25f + 0.5f * v;
        int heat = Colormap.viridis(v);
        int rgb = image.rgb(x, y);
        int r = blend((rgb >> 16) & 0xff, (heat >> 16) & 0xff, a);
        int gr = blend((rgb >> 8) & 0xff, (heat >> 8) & 0xff, a);
        int b = blend(rgb & 0xff, heat & 0xff, a);
        out.setRGB(x, y, r << 16 | gr << 8 | b);
      }
    }
    return out;
  }

  private static int blend(int base, int top, float a) {
    return Math.round(base * (1 - a) + top * a);
  }

  public static byte[] png(BufferedImage image) {
    try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      if (!ImageIO.write(image, "png", out)) {
        throw new IllegalStateException("no PNG writer");
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
