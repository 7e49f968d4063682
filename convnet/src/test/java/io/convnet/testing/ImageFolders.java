package io.convnet.testing;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;

/** Writes small labelled image folders ({@code <dir>/<split>/<class>/i.png}) that a CNN can tell apart. */
public final class ImageFolders {
  private ImageFolders() {}

  /** Class "cat": a bright vertical bar on the left; "dog": on the right; random noise around. */
  public static Path catsAndDogs(Path root, int perClass, int size, long seed) throws IOException {
    Random r = new Random(seed);
    for (String split : new String[] {"train", "validation"}) {
      for (String cls : new String[] {"cat", "dog"}) {
        Path dir = Files.createDirectories(root.resolve(split).resolve(cls));
        for (int i = 0; i < perClass; i++) {
          BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
          Graphics2D g = img.createGraphics();
          for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
              int v = r.nextInt(80);
              img.setRGB(x, y, new Color(v, v, v).getRGB());
            }
          }
          g.setColor(Color.WHITE);
          int x = cls.equals("cat") ? size / 4 : 3 * size / 4;
          g.fillRect(x - size / 10, 0, size / 5, size);
          g.dispose();
          ImageIO.write(img, "png", dir.resolve(cls + "." + i + ".png").toFile());
        }
      }
    }
    return root;
  }
}
