package io.convnet.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.convnet.image.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataSplitsTest {

  @Test
  void realCatsAndDogsAt150WithTheTutorialAugmentation() {
    Path data = TestImages.catsVsDogs();
    assumeTrue(data != null && Files.isDirectory(data.resolve("train")), "cats-vs-dogs data set not found");
    PipelineOptions options = PipelineOptions.training(Preprocessing.rescale(150, 150)).withMaxPerClass(40);
    try (DataSplits splits = DataSplits.open(data, options)) {
      assertThat(splits.training().classNames()).containsExactly("cat", "dog");
      assertThat(splits.training().imageCount()).isEqualTo(80);
      assertThat(splits.validation().imageCount()).isEqualTo(80);
      assertThat(splits.validation().options().shuffle()).isFalse();
      assertThat(splits.validation().options().augmentation().isNone()).isTrue();
      List<Batch> batches = new ArrayList<>();
      splits.training().epoch(0).forEachRemaining(batches::add);
      assertThat(batches).extracting(Batch::size).containsExactly(32, 32, 16);
      for (Batch b : batches) {
        assertThat(b.height()).isEqualTo(150);
        assertThat(b.width()).isEqualTo(150);
        for (float v : b.pixels()) {
          assertThat(v).isBetween(0f, 1f);
        }
      }
      assertThat(batches.stream().flatMapToInt(b -> java.util.Arrays.stream(b.labels())).distinct().sorted().toArray())
          .containsExactly(0, 1);
    }
  }

  @Test
  void validationClassesMustMatchTraining(@TempDir Path dir) {
    TestImages.writeDataset(dir.resolve("train"), List.of("cat", "dog"), 2, 8);
    TestImages.writeDataset(dir.resolve("validation"), List.of("cat", "fox"), 2, 8);
    assertThatThrownBy(() -> DataSplits.open(dir, PipelineOptions.training(Preprocessing.rescale(8, 8))))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("validation classes [cat, fox]")
        .hasMessageContaining("differ from training classes [cat, dog]");
  }
}
