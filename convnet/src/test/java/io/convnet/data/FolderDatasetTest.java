package io.convnet.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convnet.image.ImageDecoder;
import io.convnet.image.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FolderDatasetTest {
  private static final Preprocessing PREP = Preprocessing.rescale(24, 32);

  @TempDir Path tmp;
  private Path data;

  @BeforeEach
  void writeData() {
    data = tmp.resolve("toy-set");
    TestImages.writeDataset(data, List.of("horizontal", "vertical"), 21, 40);
  }

  private static PipelineOptions training() {
    return PipelineOptions.training(PREP).withBatchSize(8).withSeed(17).withWorkers(2);
  }

  private static List<Batch> read(FolderDataset set, int epoch) {
    List<Batch> batches = new ArrayList<>();
    set.epoch(epoch).forEachRemaining(batches::add);
    return batches;
  }

  @Test
  void evaluationOrderIsTheFolderOrderWithLabelsAndFiles() {
    try (FolderDataset set = FolderDataset.open(data, PipelineOptions.evaluation(PREP).withBatchSize(8))) {
      assertThat(set.classNames()).containsExactly("horizontal", "vertical");
      assertThat(set.imageCount()).isEqualTo(42);
      assertThat(set.batchesPerEpoch()).isEqualTo(6);
      List<Path> files = new ArrayList<>();
      List<Integer> labels = new ArrayList<>();
      List<Integer> sizes = new ArrayList<>();
      set.epochWithFiles(0).forEachRemaining(nb -> {
        files.addAll(nb.files());
        for (int label : nb.batch().labels()) {
          labels.add(label);
        }
        sizes.add(nb.batch().size());
        assertThat(nb.batch().pixels()).hasSize(nb.batch().size() * PREP.floatsPerImage());
      });
      assertThat(sizes).containsExactly(8, 8, 8, 8, 8, 2);
      assertThat(files).isEqualTo(set.files().stream().map(LabelledFile::path).toList());
      assertThat(labels).isEqualTo(set.files().stream().map(LabelledFile::label).toList());
      assertThat(labels.subList(0, 21)).containsOnly(0);
      assertThat(labels.subList(21, 42)).containsOnly(1);
    }
  }

  @Test
  void evaluationPixelsArePlainPreprocessing() {
    try (FolderDataset set = FolderDataset.open(data, PipelineOptions.evaluation(PREP).withBatchSize(8))) {
      Batch first = set.epoch(0).next();
      float[] expected = PREP.apply(ImageDecoder.standard().decode(set.files().get(3).path()));
      float[] actual = java.util.Arrays.copyOfRange(first.pixels(), 3 * PREP.floatsPerImage(), 4 * PREP.floatsPerImage());
      assertThat(actual).containsExactly(expected);
    }
  }

  @Test
  void trainingEpochsAreShuffledPermutations() {
    try (FolderDataset set = FolderDataset.open(data, training())) {
      List<Path> epoch0 = new ArrayList<>();
      set.epochWithFiles(0).forEachRemaining(nb -> epoch0.addAll(nb.files()));
      List<Path> epoch1 = new ArrayList<>();
      set.epochWithFiles(1).forEachRemaining(nb -> epoch1.addAll(nb.files()));
      Set<Path> all = new HashSet<>(set.files().stream().map(LabelledFile::path).toList());
      assertThat(new HashSet<>(epoch0)).isEqualTo(all);
      assertThat(epoch0).hasSize(42).isNotEqualTo(epoch1);
      assertThat(new HashSet<>(epoch1)).isEqualTo(all);
    }
  }

  @Test
  void sameSeedAndEpochGiveBitIdenticalBatchesWhateverTheThreadsAndCache() {
    List<List<Batch>> runs = new ArrayList<>();
    PipelineOptions[] variants = {
      training().withWorkers(1).withPrefetch(1),
      training().withWorkers(3).withPrefetch(5),
      training().withWorkers(2).withCacheBudgetBytes(0)
    };
    for (PipelineOptions options : variants) {
      try (FolderDataset set = FolderDataset.open(data, options)) {
        assertThat(set.isCached()).isEqualTo(options.cacheBudgetBytes() > 0);
        List<Batch> epochs = new ArrayList<>(read(set, 0));
        epochs.addAll(read(set, 1));
        runs.add(epochs);
      }
    }
    for (List<Batch> run : runs.subList(1, runs.size())) {
      assertThat(run).hasSameSizeAs(runs.get(0));
      for (int b = 0; b < run.size(); b++) {
        assertThat(run.get(b).pixels()).containsExactly(runs.get(0).get(b).pixels());
        assertThat(run.get(b).labels()).containsExactly(runs.get(0).get(b).labels());
      }
    }
    // epochs differ from each other, and another seed differs
    assertThat(runs.get(0).get(0).pixels()).isNotEqualTo(runs.get(0).get(6).pixels());
    try (FolderDataset other = FolderDataset.open(data, training().withSeed(18))) {
      assertThat(read(other, 0).get(0).pixels()).isNotEqualTo(runs.get(0).get(0).pixels());
    }
  }

  @Test
  void theNextEpochStartedAheadEqualsAFreshStart() {
    try (FolderDataset ahead = FolderDataset.open(data, training());
        FolderDataset fresh = FolderDataset.open(data, training());
        FolderDataset skipping = FolderDataset.open(data, training())) {
      read(ahead, 0);
      assertSame(read(ahead, 1), read(fresh, 1)); // epoch 1 was built while epoch 0 drained
      read(skipping, 0);
      assertSame(read(skipping, 3), read(fresh, 3)); // the prepared epoch 1 is discarded
    }
    try (FolderDataset validation = FolderDataset.open(data, PipelineOptions.evaluation(PREP).withBatchSize(8))) {
      assertSame(read(validation, 0), read(validation, 0));
    }
  }

  private static void assertSame(List<Batch> actual, List<Batch> expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int b = 0; b < actual.size(); b++) {
      assertThat(actual.get(b).pixels()).containsExactly(expected.get(b).pixels());
      assertThat(actual.get(b).labels()).containsExactly(expected.get(b).labels());
    }
  }

  @Test
  void prefetchIsBounded() {
    try (FolderDataset set = FolderDataset.open(data, training().withPrefetch(2).withBatchSize(4))) {
      PrefetchIterator<Batch> epoch = set.epoch(0);
      assertThat(epoch.inFlight()).isEqualTo(2);
      int batches = 0;
      while (epoch.hasNext()) {
        epoch.next();
        batches++;
        assertThat(epoch.inFlight()).isLessThanOrEqualTo(2);
      }
      assertThat(batches).isEqualTo(11);
    }
  }

  @Test
  void unreadableFilesFailTheOpenNamingThem() throws IOException {
    Path truncated = data.resolve("vertical/cut.jpg");
    Files.write(truncated, TestImages.truncated(Files.readAllBytes(data.resolve("vertical/vertical.0.jpg")), 0.5));
    Files.writeString(data.resolve("horizontal/readme.jpg"), "just text");
    Files.write(data.resolve("horizontal/empty.png"), new byte[0]);
    assertThatThrownBy(() -> FolderDataset.open(data, training()))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith("3 unreadable images in data set " + data + ": ")
        .hasMessageContaining("horizontal/empty.png: zero-byte file")
        .hasMessageContaining("horizontal/readme.jpg: not a JPEG or PNG image")
        .hasMessageContaining("vertical/cut.jpg: truncated JPEG")
        .hasMessageNotContaining("just text");
    assertThat(dataThreads()).isEmpty();
  }

  @Test
  void withoutTheCacheAnUnreadableFileFailsTheEpoch() throws IOException {
    Files.writeString(data.resolve("horizontal/readme.jpg"), "just text");
    try (FolderDataset set = FolderDataset.open(data, PipelineOptions.evaluation(PREP).withCacheBudgetBytes(0))) {
      PrefetchIterator<Batch> epoch = set.epoch(0);
      assertThatThrownBy(() -> {
        while (epoch.hasNext()) {
          epoch.next();
        }
      }).isInstanceOf(DataException.class)
          .hasMessage("unreadable image in data set " + data
              + ": horizontal/readme.jpg: not a JPEG or PNG image (unknown format)");
    }
  }

  @Test
  void skipUnreadableLeavesThemOutAndCountsThem() throws IOException {
    Files.writeString(data.resolve("horizontal/readme.jpg"), "just text");
    PipelineOptions skip = PipelineOptions.evaluation(PREP).withBatchSize(8).withSkipUnreadable(true);
    try (FolderDataset cached = FolderDataset.open(data, skip)) {
      assertThat(cached.imageCount()).isEqualTo(42);
      assertThat(cached.skippedCount()).isEqualTo(1);
      assertThat(read(cached, 0).stream().mapToInt(Batch::size).sum()).isEqualTo(42);
    }
    try (FolderDataset uncached = FolderDataset.open(data, skip.withCacheBudgetBytes(0))) {
      assertThat(uncached.imageCount()).isEqualTo(43);
      List<Batch> batches = read(uncached, 0);
      assertThat(batches.stream().mapToInt(Batch::size).sum()).isEqualTo(42);
      assertThat(batches.get(2).size()).isEqualTo(7); // readme.jpg sorts 22nd, into the third batch
      assertThat(uncached.skippedCount()).isEqualTo(1);
    }
  }

  @Test
  void closeStopsTheThreadsPromptlyEvenMidEpoch() {
    FolderDataset set = FolderDataset.open(data, training().withCacheBudgetBytes(0).withBatchSize(2).withWorkers(3));
    PrefetchIterator<Batch> epoch = set.epoch(0);
    epoch.next();
    assertThat(dataThreads()).isNotEmpty();
    long start = System.nanoTime();
    set.close();
    assertThat((System.nanoTime() - start) / 1e6).isLessThan(2000);
    assertThat(dataThreads()).isEmpty();
    assertThatThrownBy(epoch::next).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThatThrownBy(() -> set.epoch(1)).isInstanceOf(IllegalStateException.class);
    set.close(); // idempotent
  }

  @Test
  void closeWakesAConsumerWaitingForABatch() throws Exception {
    FolderDataset set = FolderDataset.open(data, training().withCacheBudgetBytes(0).withBatchSize(42).withWorkers(1));
    PrefetchIterator<Batch> epoch = set.epoch(0);
    List<Throwable> thrown = new ArrayList<>();
    Thread consumer = new Thread(() -> {
      try {
        while (epoch.hasNext()) {
          epoch.next();
        }
      } catch (RuntimeException e) {
        thrown.add(e);
      }
    });
    consumer.start();
    set.close();
    consumer.join(5000);
    assertThat(consumer.isAlive()).isFalse();
    assertThat(dataThreads()).isEmpty();
    // Either the batch was complete before close (no error) or the consumer was told the set closed.
    assertThat(thrown).allSatisfy(e -> assertThat(e).isInstanceOf(IllegalStateException.class));
  }

  private static List<String> dataThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .map(Thread::getName)
        .filter(n -> n.startsWith("convnet-data-") && n.contains("-toy-set-"))
        .toList();
  }
}
