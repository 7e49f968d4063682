package io.convnet.data;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The folder every data file is read under: the trainer's {@code CONVNET_DATA_ROOT}, or the folder given
 * to the command line ({@link #folder}). Symbolic links are allowed within the root and refused when
 * they lead out of it, at each step:
 *
 * <ul>
 *   <li>{@link #resolve}: a user-given relative path (a training job's {@code "cats-vs-dogs"}): no absolute
 *       paths, no {@code ..}, it must exist, and its real path must be under the root's;
 *   <li>{@link #leadsOutside}: listing a data set ({@link ImageFolder}) refuses entries whose real path is
 *       outside;
 *   <li>{@link #open}: reading a file checks its real path again and then opens that real path one
 *       folder at a time from the root without following links, so a link swapped in after the check
 *       fails the open instead of leading out.
 * </ul>
 *
 * Messages name paths relative to the root ({@link #name}) and never quote what a file contains.
 */
public final class DataRoot {
  /** Environment variable that configures the root; default {@code ./data}. */
  public static final String ENV = "CONVNET_DATA_ROOT";

  private static final String LEADS_OUT = "leads outside the data root (a symbolic link leads out)";

  /** The real path: what every check compares with. */
  private final Path root;
  /** The root as configured (absolute), which may itself pass through a link: for naming paths. */
  private final Path given;

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
    this.given = root.toAbsolutePath().normalize();
  }

  /** A data folder given directly (the command line's {@code -d}): the folder is its own data root. */
  public static DataRoot folder(Path folder) {
    if (!Files.exists(folder)) {
      throw new DataException("data folder " + folder + " does not exist");
    }
    if (!Files.isDirectory(folder)) {
      throw new DataException("data folder " + folder + " is not a folder");
    }
    return new DataRoot(folder);
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
      throw new DataException("data path '" + relative + "' cannot be read: " + reason(e), e);
    }
    if (!real.startsWith(root)) {
      throw new DataException("data path '" + relative + "' is outside the data root (a symbolic link leads out)");
    }
    return real;
  }

  /**
   * The real path of an existing folder that must lie under the root (a data set, a split such as
   * {@code train/}); the messages name it relative to the root.
   */
  public Path requireFolder(Path folder) {
    Path real;
    try {
      real = folder.toRealPath();
    } catch (NoSuchFileException e) {
      throw new DataException("data folder " + name(folder) + " does not exist", e);
    } catch (IOException e) {
      throw new DataException("data folder " + name(folder) + " cannot be read: " + reason(e), e);
    }
    if (!real.startsWith(root)) {
      throw new DataException("data folder " + name(folder) + " " + LEADS_OUT);
    }
    if (!Files.isDirectory(real)) {
      throw new DataException("data folder " + name(folder) + " is not a folder");
    }
    return real;
  }

  /**
   * Whether {@code path} exists and its real path is outside the root. A broken link (its target
   * missing, or a loop) leads nowhere: not outside, and reading it fails.
   */
  public boolean leadsOutside(Path path) {
    try {
      return !path.toRealPath().startsWith(root);
    } catch (IOException e) {
      return false;
    }
  }

  /** The refusal of listed entries that lead outside: every one named (the first few), none read. */
  public DataException outside(Path folder, List<Path> entries) {
    int shown = Math.min(10, entries.size());
    List<String> names = new ArrayList<>();
    entries.subList(0, shown).forEach(p -> names.add(name(p)));
    return new DataException("data folder " + name(folder) + ": " + (entries.size() == 1 ? "1 entry leads"
        : entries.size() + " entries lead") + " outside the data root through a symbolic link (links may point "
        + "only within the data root): " + String.join(", ", names)
        + (entries.size() > shown ? " and " + (entries.size() - shown) + " more" : ""));
  }

  /**
   * Opens a file for reading if its real path is under the root. On file systems that support it (Linux,
   * macOS), the real path is then opened folder by folder from the root without following links, so a
   * link swapped in since the check fails the open; elsewhere the final component is opened without
   * following links and the real path is checked again once it is open.
   *
   * @throws DataException the file leads outside the root, or a link appeared on its path meanwhile
   * @throws IOException the file does not exist (also: a dangling link), loops, is not a regular file, or
   *     cannot be read
   */
  public SeekableByteChannel open(Path file) throws IOException {
    Path real = file.toRealPath();
    if (!real.startsWith(root)) {
      throw new DataException(name(file) + ": " + LEADS_OUT + "; not read");
    }
    Path relative = root.relativize(real);
    if (relative.toString().isEmpty()) {
      throw new FileSystemException(name(file), null, "not a regular file");
    }
    try (DirectoryStream<Path> top = Files.newDirectoryStream(root)) {
      if (top instanceof SecureDirectoryStream<Path> secure) {
        return openBelow(secure, relative, file);
      }
    }
    SeekableByteChannel channel = Files.newByteChannel(real, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    if (!file.toRealPath().equals(real)) {
      channel.close();
      throw swapped(file);
    }
    return channel;
  }

  /**
   * Opens {@code relative} (a real path: no links on it) under the open root folder, each folder and then
   * the file opened relative to its parent without following a link.
   */
  SeekableByteChannel openBelow(SecureDirectoryStream<Path> top, Path relative, Path file) throws IOException {
    SecureDirectoryStream<Path> dir = top;
    try {
      for (int i = 0; i < relative.getNameCount() - 1; i++) {
        SecureDirectoryStream<Path> next = dir.newDirectoryStream(relative.getName(i), LinkOption.NOFOLLOW_LINKS);
        if (dir != top) {
          dir.close();
        }
        dir = next;
      }
      Path name = relative.getFileName();
      if (!dir.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
          .readAttributes().isRegularFile()) {
        if (hasLink(relative)) {
          throw swapped(file);
        }
        throw new FileSystemException(name(file), null, "not a regular file");
      }
      return dir.newByteChannel(name, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
    } catch (NoSuchFileException e) {
      throw e;
    } catch (FileSystemException e) {
      if (hasLink(relative)) {
        throw swapped(file);
      }
      throw e;
    } finally {
      if (dir != top) {
        dir.close();
      }
    }
  }

  /** Opens {@code relative} under the root the way {@link #open} does once the real path is known. */
  SeekableByteChannel openBelow(Path relative) throws IOException {
    try (DirectoryStream<Path> top = Files.newDirectoryStream(root)) {
      return openBelow((SecureDirectoryStream<Path>) top, relative, root.resolve(relative));
    }
  }

  private boolean hasLink(Path relative) {
    for (int i = 1; i <= relative.getNameCount(); i++) {
      if (Files.isSymbolicLink(root.resolve(relative.subpath(0, i)))) {
        return true;
      }
    }
    return false;
  }

  private DataException swapped(Path file) {
    return new DataException(name(file) + ": a symbolic link appeared on its path while it was being opened; "
        + "not read");
  }

  /**
   * How messages name {@code path}: relative to the root ({@code "cats-vs-dogs/train/cat/cat.1.jpg"}),
   * {@code "."} for the root itself; a path that is not under it as given.
   */
  public String name(Path path) {
    Path absolute = path.toAbsolutePath().normalize();
    for (Path base : new Path[] {root, given}) {
      if (absolute.startsWith(base)) {
        String relative = base.relativize(absolute).toString();
        return relative.isEmpty() ? "." : relative;
      }
    }
    return path.toString();
  }

  /** What went wrong, without the exception's class or the server's path when the file system says why. */
  public static String reason(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return e.getClass().getSimpleName();
  }

  @Override
  public String toString() {
    return "DataRoot[" + root + "]";
  }
}
