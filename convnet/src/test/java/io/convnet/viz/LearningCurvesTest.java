package io.convnet.viz;

import static org.assertj.core.api.Assertions.assertThat;

import io.convnet.train.EpochMetrics;
import io.convnet.train.History;
import io.convnet.train.StopReason;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LearningCurvesTest {
  @TempDir
  Path tmp;

  @Test
  void writesDataAndATwoPanelPicture() throws Exception {
    History h = new History(List.of(new EpochMetrics(1, 0.69, 0.52, 0.68, 0.55, 20),
        new EpochMetrics(2, 0.60, 0.66, 0.62, 0.65, 21), new EpochMetrics(3, 0.50, 0.75, 0.58, 0.70, 20)),
        StopReason.COMPLETED);
    LearningCurves.writeAll(h, tmp, "cats-vs-dogs v1");
    assertThat(Files.readAllLines(tmp.resolve("history.csv"))).hasSize(4)
        .contains("2,0.600000,0.660000,0.620000,0.650000,21.00");
    assertThat(Files.readString(tmp.resolve("history.json"))).contains("\"valAccuracy\"", "COMPLETED");
    BufferedImage img = ImageIO.read(tmp.resolve("learning-curves.png").toFile());
    assertThat(img.getWidth()).isEqualTo(1000);
    assertThat(img.getHeight()).isEqualTo(420);
    int train = 0;
    int val = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        int rgb = img.getRGB(x, y) & 0xffffff;
        train += rgb == 0x1f77b4 ? 1 : 0;
        val += rgb == 0xff7f0e ? 1 : 0;
      }
    }
    assertThat(train).as("training points drawn").isGreaterThan(100);
    assertThat(val).as("validation lines drawn").isGreaterThan(100);
  }
}
