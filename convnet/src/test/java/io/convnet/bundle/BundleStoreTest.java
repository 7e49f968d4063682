package io.convnet.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Publishing versions: numbered once each, never over another version, never into another model's directory. */
class BundleStoreTest {
  @TempDir
  Path tmp;

  /** What a bundle writer leaves: a manifest naming its version (no TensorFlow needed to number versions). */
  static void manifestOnly(Path dir, int version) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(BundleWriter.MANIFEST), "{\"version\": " + version + "}");
  }

  static String manifest(Path store, String model, int version) throws IOException {
    return Files.readString(store.resolve(model).resolve(Integer.toString(version)).resolve(BundleWriter.MANIFEST));
  }

  @Test
  void aDeletedVersionIsGoneWholeAndItsNumberIsNeverGivenAgain() throws Exception {
    Path root = tmp.resolve("models");
    BundleStore store = new BundleStore(root);
    for (int i = 0; i < 3; i++) {
      store.publish("pets", BundleStoreTest::manifestOnly);
    }
    store.locked("pets", "delete a version of", dir -> {
      store.remove(dir, 3);
      store.remove(dir, 1);
      assertThatThrownBy(() -> store.remove(dir, 1)).hasMessage("model 'pets' has no version 1");
      return null;
    });
    assertThat(store.versions("pets")).containsExactly(2);
    assertThat(store.has("pets", 2)).isTrue();
    assertThat(store.has("pets", 3)).isFalse();
    try (Stream<Path> s = Files.list(root.resolve("pets"))) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("2", ".lock", ".highest-version");
    }
    assertThat(new BundleStore(root).publish("pets", BundleStoreTest::manifestOnly)).as("after the deleted v3")
        .isEqualTo(4);
  }

  @Test
  void versionsAreNumberedInTurnAndAnExistingOneIsNeverReplaced() throws Exception {
    Path root = tmp.resolve("models");
    BundleStore store = new BundleStore(root);
    assertThat(store.publish("pets", BundleStoreTest::manifestOnly)).isEqualTo(1);
    assertThat(store.publish("pets", BundleStoreTest::manifestOnly)).isEqualTo(2);
    // Directories the store did not make: an incomplete version, a link where version 4 would go.
    Files.createDirectories(root.resolve("pets/3"));
    Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
    Files.createSymbolicLink(root.resolve("pets/4"), elsewhere);
    assertThat(store.publish("pets", BundleStoreTest::manifestOnly)).isEqualTo(5);
    assertThat(store.versions("pets")).containsExactly(1, 2, 5);
    assertThat(manifest(root, "pets", 1)).isEqualTo("{\"version\": 1}");
    try (Stream<Path> s = Files.list(root.resolve("pets/3"))) {
      assertThat(s).isEmpty();
    }
    try (Stream<Path> s = Files.list(elsewhere)) {
      assertThat(s).isEmpty();
    }
  }

  @Test
  void publishersAtOnceEachGetAVersionOfTheirOwn() throws Exception {
    Path root = tmp.resolve("models");
    int publishers = 8;
    ExecutorService pool = Executors.newFixedThreadPool(publishers);
    try {
      List<Future<Integer>> versions = new ArrayList<>();
      for (int i = 0; i < publishers; i++) {
        versions.add(pool.submit(() -> new BundleStore(root).publish("pets", BundleStoreTest::manifestOnly)));
      }
      List<Integer> got = new ArrayList<>();
      for (Future<Integer> v : versions) {
        got.add(v.get());
      }
      assertThat(got).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6, 7, 8);
      for (int v : got) {
        assertThat(manifest(root, "pets", v)).isEqualTo("{\"version\": " + v + "}");
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aModelWhoseDirectoryLeadsElsewhereIsNeverWritten() throws Exception {
    Path root = tmp.resolve("models");
    BundleStore store = new BundleStore(root);
    store.publish("pets", BundleStoreTest::manifestOnly);
    Files.createSymbolicLink(root.resolve("alias"), root.resolve("pets"));
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.createSymbolicLink(root.resolve("escape"), outside);
    Files.writeString(root.resolve("plain-file"), "not a model");
    for (String name : List.of("alias", "escape", "plain-file")) {
      assertThatThrownBy(() -> store.publish(name, BundleStoreTest::manifestOnly))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("model '" + name + "' cannot be published: its place in the model store is not a directory "
              + "of its own (a symbolic link or a file), so writing there could reach another model's versions");
    }
    assertThat(store.versions("pets")).containsExactly(1);
    try (Stream<Path> s = Files.list(root.resolve("pets"))) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("1", ".lock");
    }
    try (Stream<Path> s = Files.list(outside)) {
      assertThat(s).isEmpty();
    }
    assertThat(store.requireOwnDirectory("pets")).isEqualTo(root.resolve("pets"));
    assertThat(store.requireOwnDirectory("new-model")).isEqualTo(root.resolve("new-model"));
  }

  @Test
  void aWriterThatFailsLeavesNoVersionAndNoTemporaryDirectory() throws Exception {
    Path root = tmp.resolve("models");
    BundleStore store = new BundleStore(root);
    assertThatThrownBy(() -> store.publish("pets", (dir, v) -> {
      manifestOnly(dir, v);
      throw new IOException("disk full");
    })).hasMessageContaining("cannot publish model 'pets'");
    assertThat(store.versions("pets")).isEmpty();
    try (Stream<Path> s = Files.list(root.resolve("pets"))) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly(".lock");
    }
  }
}
