package io.convnet.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataRootTest {
  @TempDir Path tmp;
  private Path rootDir;
  private DataRoot root;

  @BeforeEach
  void layout() throws IOException {
    rootDir = Files.createDirectories(tmp.resolve("root/cats-vs-dogs/train"));
    rootDir = tmp.resolve("root");
    Files.createDirectories(tmp.resolve("secret"));
    root = new DataRoot(rootDir);
  }

  @Test
  void resolvesARelativePath() throws IOException {
    assertThat(root.resolve("cats-vs-dogs/train")).isEqualTo(rootDir.toRealPath().resolve("cats-vs-dogs/train"));
    assertThat(root.resolve("./cats-vs-dogs")).isEqualTo(rootDir.toRealPath().resolve("cats-vs-dogs"));
  }

  @Test
  void refusesDotDot() {
    assertThatThrownBy(() -> root.resolve("../secret"))
        .isInstanceOf(DataException.class)
        .hasMessage("data path '../secret' is outside the data root ('..' is not allowed)");
    assertThatThrownBy(() -> root.resolve("cats-vs-dogs/../../secret")).hasMessageContaining("outside the data root");
  }

  @Test
  void refusesAbsolutePaths() {
    String absolute = tmp.resolve("secret").toString();
    assertThatThrownBy(() -> root.resolve(absolute))
        .isInstanceOf(DataException.class)
        .hasMessage("data path '" + absolute + "' is absolute; give a path relative to the data root");
  }

  @Test
  void refusesASymbolicLinkLeadingOut() throws IOException {
    Files.createSymbolicLink(rootDir.resolve("escape"), tmp.resolve("secret"));
    assertThatThrownBy(() -> root.resolve("escape"))
        .isInstanceOf(DataException.class)
        .hasMessage("data path 'escape' is outside the data root (a symbolic link leads out)");
  }

  @Test
  void allowsASymbolicLinkInside() throws IOException {
    Files.createSymbolicLink(rootDir.resolve("alias"), rootDir.resolve("cats-vs-dogs"));
    assertThat(root.resolve("alias/train")).isEqualTo(rootDir.toRealPath().resolve("cats-vs-dogs/train"));
  }

  @Test
  void refusesMissingAndEmptyPaths() {
    assertThatThrownBy(() -> root.resolve("dogs-vs-cats"))
        .hasMessage("data path 'dogs-vs-cats' does not exist under the data root");
    assertThatThrownBy(() -> root.resolve(" ")).hasMessageStartingWith("data path is empty");
    assertThatThrownBy(() -> root.resolve("a\0b")).hasMessageStartingWith("data path 'a");
  }

  @Test
  void theRootMustExist() {
    assertThatThrownBy(() -> new DataRoot(tmp.resolve("missing")))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith("data root " + tmp.resolve("missing") + " does not exist");
  }
}
