package io.convnet.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The folder that user-given data paths (e.g. a training job's {@code "cats-vs-dogs/train"}) are
 * resolved under. Refuses, naming the path: absolute paths, {@code ..} segments, paths that do not
 * exist, and paths that leave the root through a symbolic link.
 */
public final class DataRoot {
  /** Environment variable that configures the root; default {@code ./data}. */
  public static final String ENV = "CONVNET_DATA_ROOT";

  private final Path root;

  /** @param root an existing folder */
  public DataRoot(Path root) {
    try {
      this.root = root.toRealPath();
    } catch (IOException e) {
      throw new DataException("data root " + root + " does not exist or cannot be read: " + e, e);
    }
    if (!Files.isDirectory(this.root)) {
      throw new DataException("data root " + root + " is not a folder");
    }
  }

  /** The root named by {@code CONVNET_DATA_ROOT}, default {@code ./data}. */
  public static DataRoot fromEnvironment() {
    String value = System.getenv(ENV);
    return new DataRoot(Paths.get(value == null || value.isBlank() ? "data" : value));
  }

  /** The real (symbolic links resolved) path of the root. */
  public Path root() {
    return root;
  }

  /** The existing file or folder {@code relative} names under the root, symbolic links resolved. */
  public Path resolve(String relative) {
    if (relative == null || relative.isBlank()) {
      throw new DataException("data path is empty; give a path relative to the data root");
    }
    Path path;
    try {
      path = Paths.get(relative);
    } catch (InvalidPathException e) {
      throw new DataException("data path '" + relative + "' is not a valid path: " + e.getReason(), e);
    }
    if (path.isAbsolute() || relative.startsWith("/") || relative.startsWith("\\")) {
      throw new DataException("data path '" + relative + "' is absolute; give a path relative to the data root");
    }
    for (Path part : path) {
      if (part.toString().equals("..")) {
        throw new DataException("data path '" + relative + "' is outside the data root ('..' is not allowed)");
      }
    }
    Path real;
    try {
      real = root.resolve(path).toRealPath();
    } catch (NoSuchFileException e) {
      throw new DataException("data path '" + relative + "' does not exist under the data root", e);
    } catch (IOException e) {
      throw new DataException("data path '" + relative + "' cannot be read: " + e, e);
    }
    if (!real.startsWith(root)) {
      throw new DataException("data path '" + relative + "' is outside the data root (a symbolic link leads out)");
    }
    return real;
  }

  @Override
  public String toString() {
    return "DataRoot[" + root + "]";
  }
}
