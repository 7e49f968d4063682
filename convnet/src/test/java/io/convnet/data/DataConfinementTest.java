package io.convnet.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convnet.image.TestImages;
import io.convnet.util.FileTrees;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Symbolic links in a data set, on real files: links within the data root are followed, links out of
 * it are refused when the data set is listed and again when a file is opened, broken links fail as
 * unreadable images, and no message shows what an outside file contains.
 */
class DataConfinementTest {
  private static final Preprocessing PREP = Preprocessing.rescale(16, 16);
  /** What the outside file holds: it must never appear in a message. */
  private static final String SECRET = "root:x:0:0:root:/root:/bin/bash\n";

  @TempDir Path tmp;
  private Path rootDir;
  private Path set;
  private Path outside;
  private DataRoot root;

  @BeforeEach
  void layout() throws IOException {
    rootDir = Files.createDirectories(tmp.resolve("root"));
    set = rootDir.resolve("set");
    TestImages.writeDataset(set.resolve("train"), List.of("cat", "dog"), 3, 16);
    TestImages.writeDataset(set.resolve("validation"), List.of("cat", "dog"), 2, 16);
    outside = Files.createDirectories(tmp.resolve("outside"));
    TestImages.writeDataset(outside, List.of("bird", "cat", "dog"), 2, 16);
    Files.writeString(outside.resolve("passwd"), SECRET);
    root = new DataRoot(rootDir);
  }

  private static PipelineOptions options() {
    return PipelineOptions.evaluation(PREP).withBatchSize(4).withWorkers(2);
  }

  private static int images(FolderDataset set) {
    int n = 0;
    for (var it = set.epoch(0); it.hasNext(); ) {
      n += it.next().size();
    }
    return n;
  }

  @Test
  void aClassFolderLinkedOutsideIsRefusedWhenListed() throws IOException {
    Files.createSymbolicLink(set.resolve("train/bird"), outside.resolve("bird"));
    assertThatThrownBy(() -> ImageFolder.scan(root, set.resolve("train"), 0))
        .isInstanceOf(DataException.class)
        .hasMessage("data folder set/train: 1 entry leads outside the data root through a symbolic link "
            + "(links may point only within the data root): set/train/bird")
        .hasMessageNotContaining(outside.toString());
    assertThatThrownBy(() -> DataSplits.open(root, set, options(), options()))
        .hasMessageContaining("set/train/bird");
    // the command line: the folder given is the data root
    assertThatThrownBy(() -> DataSplits.open(set, options(), options()))
        .hasMessageContaining("outside the data root").hasMessageContaining("train/bird");
  }

  @Test
  void aFileLinkedToAnOutsideFileIsRefusedAndNeverRead() throws IOException {
    Files.createSymbolicLink(set.resolve("train/cat/passwd.jpg"), outside.resolve("passwd"));
    Files.createSymbolicLink(set.resolve("train/dog/dog.9.jpg"), outside.resolve("dog/dog.0.jpg"));
    assertThatThrownBy(() -> FolderDataset.open(ImageFolder.scan(root, set.resolve("train"), 0), options()))
        .isInstanceOf(DataException.class)
        .hasMessageEndingWith("2 entries lead outside the data root through a symbolic link "
            + "(links may point only within the data root): set/train/cat/passwd.jpg, set/train/dog/dog.9.jpg")
        .hasMessageNotContaining("root:x")
        .hasMessageNotContaining(outside.toString());
    // skipping unreadable images does not let it through either: it is not unreadable, it is out of bounds
    assertThatThrownBy(() -> FolderDataset.open(set.resolve("train"), options().withSkipUnreadable(true)))
        .hasMessageContaining("cat/passwd.jpg").hasMessageNotContaining("root:x");
    // at most N per class: only the images taken are checked
    assertThat(ImageFolder.scan(root, set.resolve("train"), 2).size()).isEqualTo(4);
  }

  @Test
  void aSplitLinkedOutsideIsRefused() throws IOException {
    FileTrees.delete(set.resolve("validation"));
    Files.createSymbolicLink(set.resolve("validation"), outside);
    assertThatThrownBy(() -> DataSplits.open(root, set, options(), options()))
        .isInstanceOf(DataException.class)
        .hasMessage("data folder set/validation leads outside the data root (a symbolic link leads out)");
  }

  @Test
  void linksWithinTheRootAreFollowed() throws IOException {
    Path shared = rootDir.resolve("shared-kittens");
    TestImages.writeDataset(shared, List.of("kitten"), 4, 16);
    Files.createSymbolicLink(set.resolve("train/kitten"), shared.resolve("kitten"));
    Files.createSymbolicLink(set.resolve("train/cat/alias.jpg"), set.resolve("train/dog/dog.0.jpg"));
    Files.createSymbolicLink(rootDir.resolve("set-alias"), set);
    ImageFolder folder = ImageFolder.scan(root, rootDir.resolve("set-alias/train"), 0);
    assertThat(folder.classNames()).containsExactly("cat", "dog", "kitten");
    assertThat(folder.classCounts()).containsExactly(4, 3, 4);
    try (FolderDataset data = FolderDataset.open(folder, options().withCacheBudgetBytes(0))) {
      assertThat(images(data)).isEqualTo(11);
      assertThat(data.skippedCount()).isZero();
    }
    try (SeekableByteChannel in = root.open(set.resolve("train/cat/alias.jpg"))) {
      assertThat(in.size()).isEqualTo(Files.size(set.resolve("train/dog/dog.0.jpg")));
    }
  }

  @Test
  void aDanglingLinkIsAnUnreadableImageAndAnIgnoredClass() throws IOException {
    Files.createSymbolicLink(set.resolve("train/cat/gone.jpg"), rootDir.resolve("nothing.jpg"));
    Files.createSymbolicLink(set.resolve("train/fox"), rootDir.resolve("no-such-folder"));
    ImageFolder folder = ImageFolder.scan(root, set.resolve("train"), 0);
    assertThat(folder.classNames()).containsExactly("cat", "dog");
    assertThatThrownBy(() -> FolderDataset.open(folder, options()))
        .isInstanceOf(DataException.class)
        .hasMessageEndingWith("set/train/cat/gone.jpg: broken symbolic link (its target does not exist)");
    try (FolderDataset skipping = FolderDataset.open(folder, options().withSkipUnreadable(true))) {
      assertThat(skipping.imageCount()).isEqualTo(6);
      assertThat(skipping.skippedCount()).isEqualTo(1);
    }
  }

  @Test
  void aLinkLoopIsAnUnreadableImageAndAnIgnoredClass() throws IOException {
    Files.createSymbolicLink(set.resolve("train/cat/loop.jpg"), set.resolve("train/cat/loop.jpg"));
    Files.createSymbolicLink(set.resolve("train/a"), set.resolve("train/b"));
    Files.createSymbolicLink(set.resolve("train/b"), set.resolve("train/a"));
    ImageFolder folder = ImageFolder.scan(root, set.resolve("train"), 0);
    assertThat(folder.classNames()).containsExactly("cat", "dog");
    assertThatThrownBy(() -> {
      try (FolderDataset data = FolderDataset.open(folder, options().withCacheBudgetBytes(0))) {
        images(data);
      }
    }).isInstanceOf(DataException.class)
        .hasMessageContaining("set/train/cat/loop.jpg: cannot read the file (Too many levels of symbolic links");
  }

  @Test
  void aFileSwappedForALinkOutAfterListingIsRefusedWhenOpened() throws IOException {
    ImageFolder folder = ImageFolder.scan(root, set.resolve("train"), 0);
    Path victim = set.resolve("train/cat/cat.1.jpg");
    Files.delete(victim);
    Files.createSymbolicLink(victim, outside.resolve("passwd"));
    for (PipelineOptions o : List.of(options(), options().withCacheBudgetBytes(0).withSkipUnreadable(true))) {
      assertThatThrownBy(() -> {
        try (FolderDataset data = FolderDataset.open(folder, o)) {
          images(data);
        }
      }).isInstanceOf(DataException.class)
          .hasMessageContaining("set/train/cat/cat.1.jpg: leads outside the data root (a symbolic link leads out); "
              + "not read")
          .hasMessageNotContaining("root:x");
    }
  }

  @Test
  void aFolderSwappedForALinkBetweenTheCheckAndTheOpenIsRefused() throws IOException {
    // The open walks the checked real path folder by folder without following links: a folder replaced
    // by a link after the check (here: before the walk) fails instead of leading out.
    Path catDir = set.resolve("train/cat");
    Files.writeString(outside.resolve("cat/cat.0.jpg"), SECRET);
    FileTrees.delete(catDir);
    Files.createSymbolicLink(catDir, outside.resolve("cat"));
    assertThatThrownBy(() -> root.openBelow(Path.of("set/train/cat/cat.0.jpg")))
        .isInstanceOf(DataException.class)
        .hasMessage("set/train/cat/cat.0.jpg: a symbolic link appeared on its path while it was being opened; "
            + "not read");
    // and a final component swapped for a link
    Files.createSymbolicLink(set.resolve("train/dog/dog.5.jpg"), outside.resolve("passwd"));
    assertThatThrownBy(() -> root.openBelow(Path.of("set/train/dog/dog.5.jpg")))
        .hasMessageContaining("a symbolic link appeared on its path");
    // while the real path itself opens
    try (SeekableByteChannel in = root.openBelow(Path.of("set/train/dog/dog.0.jpg"))) {
      ByteBuffer head = ByteBuffer.allocate(2);
      in.read(head);
      assertThat(head.array()).containsExactly((byte) 0xFF, (byte) 0xD8);
    }
  }

  @Test
  void aTextFileInsideTheRootIsRefusedWithoutQuotingIt() throws IOException {
    Files.writeString(set.resolve("train/cat/cat.7.jpg"), SECRET);
    List<String> messages = new ArrayList<>();
    try {
      FolderDataset.open(ImageFolder.scan(root, set.resolve("train"), 0), options()).close();
    } catch (DataException e) {
      messages.add(e.getMessage());
    }
    assertThat(messages).singleElement().asString()
        .endsWith("set/train/cat/cat.7.jpg: not a JPEG or PNG image (unknown format)")
        .doesNotContain("root:x", "/bin/bash");
  }
}
