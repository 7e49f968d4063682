package io.convnet.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Labels files in the formats packages ship, generated here (no ImageNet list is committed); the real files are
 * read too when installed (Debian opencv-doc, or -Dconvnet.imagenetLabels=FILE).
 */
class ClassLabelsTest {
  static final String OPENCV = "/usr/share/doc/opencv-doc/examples/data/dnn/classification_classes_ILSVRC2012.txt";

  @TempDir
  Path tmp;

  @Test
  void plainTextGzipJsonKerasIndexAndTheMobilenetModule() throws Exception {
    Path txt = Files.writeString(tmp.resolve("classes.txt"), "tench, Tinca tinca\ngoldfish\r\njack-o'-lantern\n");
    Path gz = tmp.resolve("classes.txt.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write(Files.readAllBytes(txt));
    }
    Path array = Files.writeString(tmp.resolve("a.json"), "[\"tench, Tinca tinca\", \"goldfish\", \"jack-o'-lantern\"]");
    Path keras = Files.writeString(tmp.resolve("imagenet_class_index.json"),
        "{\"1\": [\"n01443537\", \"goldfish\"], \"0\": [\"n01440764\", \"tench, Tinca tinca\"], "
            + "\"2\": [\"n03590841\", \"jack-o'-lantern\"]}");
    Path js = Files.writeString(tmp.resolve("imagenet_classes.js"), String.join("\n",
        "\"use strict\";", "Object.defineProperty(exports, \"__esModule\", { value: true });",
        "exports.IMAGENET_CLASSES = {", "    0: 'tench, ' +", "        'Tinca tinca',", "    1: 'goldfish',",
        "    2: 'jack-o\\'-lantern'", "};"), StandardCharsets.UTF_8);
    for (Path p : List.of(txt, gz, array, keras, js)) {
      assertThat(ClassLabels.read(p, 3)).as(p.getFileName().toString())
          .containsExactly("tench, Tinca tinca", "goldfish", "jack-o'-lantern");
    }
  }

  @Test
  void wrongCountsGapsAndMissingFilesAreNamed() throws Exception {
    Path two = Files.writeString(tmp.resolve("two.txt"), "a\nb\n");
    assertThatThrownBy(() -> ClassLabels.read(two, 1000)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("labels file " + two + " has 2 labels, expected 1000");
    Path gap = Files.writeString(tmp.resolve("gap.json"), "{\"0\": \"a\", \"2\": \"c\"}");
    assertThatThrownBy(() -> ClassLabels.read(gap, 0)).hasMessageContaining("class index 1 is missing");
    Path blank = Files.writeString(tmp.resolve("blank.txt"), "a\n\nc\n");
    assertThatThrownBy(() -> ClassLabels.read(blank, 3)).hasMessageContaining("label 1 is empty");
    assertThatThrownBy(() -> ClassLabels.read(tmp.resolve("nope.txt"), 0)).hasMessageContaining("no such labels file");
  }

  @Test
  void theInstalledImageNetListHas1000ClassesInKerasOrder() {
    String configured = System.getProperty("convnet.imagenetLabels", "");
    Path file = !configured.isBlank() ? Path.of(configured) : Path.of(OPENCV);
    assumeTrue(Files.isRegularFile(file), "no ImageNet labels installed (apt-get install opencv-doc)");
    List<String> labels = ClassLabels.read(file, ClassLabels.IMAGENET_CLASSES);
    assertThat(labels.get(0)).startsWith("tench");
    assertThat(labels.get(1)).startsWith("goldfish");
    assertThat(labels.get(999)).startsWith("toilet tissue");
  }
}
