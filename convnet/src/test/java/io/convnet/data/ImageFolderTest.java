package io.convnet.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.convnet.image.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {
  @TempDir Path dir;

  private static Path realData() {
    Path data = TestImages.catsVsDogs();
    assumeTrue(data != null && Files.isDirectory(data.resolve("train")), "cats-vs-dogs data set not found");
    return data;
  }

  @Test
  void realTrainingAndValidationSplits() {
    ImageFolder train = ImageFolder.scan(realData().resolve("train"));
    assertThat(train.classNames()).containsExactly("cat", "dog");
    assertThat(train.classCounts()).containsExactly(2000, 2000);
    ImageFolder validation = ImageFolder.scan(realData().resolve("validation"));
    assertThat(validation.classNames()).containsExactly("cat", "dog");
    assertThat(validation.classCounts()).containsExactly(500, 500);
  }

  @Test
  void atMostNPerClassTakesTheFirstInSortedOrder() {
    ImageFolder all = ImageFolder.scan(realData().resolve("train"));
    ImageFolder first = ImageFolder.scan(realData().resolve("train"), 1000);
    assertThat(first.classCounts()).containsExactly(1000, 1000);
    List<LabelledFile> cats = all.files().subList(0, 2000);
    assertThat(first.files().subList(0, 1000)).isEqualTo(cats.subList(0, 1000));
    assertThat(first.files().get(0).path().getFileName().toString()).isEqualTo("cat.100.jpg");
    assertThat(first.files().get(1000).label()).isEqualTo(1);
    List<String> names = cats.stream().map(f -> f.path().getFileName().toString()).toList();
    assertThat(names).isSorted();
  }

  @Test
  void classesAndFilesAreSortedAndNonImagesIgnored() throws IOException {
    TestImages.writeDataset(dir, List.of("zebra", "ant", "Moth"), 2, 8);
    Files.writeString(dir.resolve("ant/README.txt"), "not an image");
    Files.write(dir.resolve("ant/UPPER.JPG"), TestImages.jpeg(TestImages.gradient(8, 8)));
    Files.write(dir.resolve("ant/mixed.Jpeg"), TestImages.jpeg(TestImages.gradient(8, 8)));
    Files.write(dir.resolve("ant/.hidden.jpg"), new byte[0]);
    Files.createDirectories(dir.resolve(".ipynb_checkpoints"));
    Files.writeString(dir.resolve("labels.csv"), "a file beside the class folders");
    ImageFolder folder = ImageFolder.scan(dir);
    assertThat(folder.classNames()).containsExactly("Moth", "ant", "zebra");
    assertThat(folder.files().stream().filter(f -> f.label() == 1).map(f -> f.path().getFileName().toString()))
        .containsExactly("UPPER.JPG", "ant.0.jpg", "ant.1.jpg", "mixed.Jpeg");
    assertThat(folder.classCounts()).containsExactly(2, 4, 2);
  }

  @Test
  void missingFolder() {
    Path missing = dir.resolve("nope");
    assertThatThrownBy(() -> ImageFolder.scan(missing))
        .isInstanceOf(DataException.class)
        .hasMessage("data folder " + missing + " does not exist");
  }

  @Test
  void aFileIsNotAFolder() throws IOException {
    Path file = Files.writeString(dir.resolve("train"), "x");
    assertThatThrownBy(() -> ImageFolder.scan(file)).hasMessage("data folder " + file + " is not a folder");
  }

  @Test
  void emptyFolder() {
    assertThatThrownBy(() -> ImageFolder.scan(dir))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith("data folder " + dir + " has no class sub-folders");
  }

  @Test
  void oneClass() {
    TestImages.writeDataset(dir, List.of("cat"), 3, 8);
    assertThatThrownBy(() -> ImageFolder.scan(dir))
        .isInstanceOf(DataException.class)
        .hasMessage("data folder " + dir + " has only one class sub-folder ('cat'); a classifier needs at least 2 classes");
  }

  @Test
  void classFolderWithoutImages() throws IOException {
    TestImages.writeDataset(dir, List.of("cat"), 3, 8);
    Files.createDirectories(dir.resolve("dog"));
    Files.writeString(dir.resolve("dog/notes.txt"), "no images here");
    assertThatThrownBy(() -> ImageFolder.scan(dir))
        .isInstanceOf(DataException.class)
        .hasMessage("class folder " + dir.resolve("dog") + " has no images (.jpg, .jpeg or .png files)");
  }

  @Test
  void unlabelledFolder() throws IOException {
    Files.write(dir.resolve("b.png"), TestImages.png(TestImages.gradient(4, 4)));
    Files.write(dir.resolve("a.jpg"), TestImages.jpeg(TestImages.gradient(4, 4)));
    ImageFolder folder = ImageFolder.unlabelled(dir);
    assertThat(folder.classNames()).isEmpty();
    assertThat(folder.files()).extracting(LabelledFile::label).containsExactly(-1, -1);
    assertThat(folder.files().get(0).path().getFileName().toString()).isEqualTo("a.jpg");
  }
}
