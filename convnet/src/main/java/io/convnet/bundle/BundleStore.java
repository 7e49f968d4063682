package io.convnet.bundle;

import io.convnet.limits.TrainingLimits;
import io.convnet.util.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The model store {@code <root>/<name>/<version>/} (versions 1, 2, 3...). A version directory appears
 * only complete: it is written under {@code <name>/.tmp-<pid>-<uuid>/} and renamed into place. A
 * temporary directory left by a killed writer is ignored by readers and removed by the next publish.
 *
 * <p>Publishing never touches another model or an existing version: a model's directory must be its
 * own (not a symbolic link, which could lead into another model's directory or out of the store), the
 * next version number is taken under a lock every publisher holds (a file lock across processes), a
 * number whose directory exists in any form is skipped, and the rename cannot replace a version,
 * which is never an empty directory.
 */
public final class BundleStore {
  private static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,8}");
  private static final String TMP = ".tmp-";

  private final Path root;

  public BundleStore(Path root) {
    this.root = root;
  }

  public Path root() {
    return root;
  }

  /** Model names: lower-case letters, digits, '.', '_', '-', 1..64 characters. */
  public static String checkModelName(String name) {
    if (name == null || !TrainingLimits.MODEL_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("invalid model name '" + name + "': use 1-64 lower-case letters, digits, "
          + "'.', '_' or '-', starting with a letter or digit");
    }
    return name;
  }

  /** Published versions of a model, ascending; empty when there is none. */
  public List<Integer> versions(String name) {
    Path dir = root.resolve(checkModelName(name));
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> VERSION.matcher(p.getFileName().toString()).matches())
          .filter(p -> Files.exists(p.resolve(BundleWriter.MANIFEST)))
          .map(p -> Integer.parseInt(p.getFileName().toString())).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  /** Names of the models with at least one version. */
  public List<String> models() {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(root)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> TrainingLimits.MODEL_NAME.matcher(n).matches())
          .filter(n -> !versions(n).isEmpty()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root, e);
    }
  }

  public Optional<Integer> latestVersion(String name) {
    List<Integer> v = versions(name);
    return v.isEmpty() ? Optional.empty() : Optional.of(v.get(v.size() - 1));
  }

  public Path path(String name, int version) {
    return root.resolve(checkModelName(name)).resolve(Integer.toString(version));
  }

  /** Directory of the newest version; IllegalArgumentException naming the known models if none. */
  public Path latest(String name) {
    return path(name, latestVersion(name).orElseThrow(() -> new IllegalArgumentException(
        "model '" + name + "' has no version in " + root + "; known models: " + models())));
  }

  /**
   * Publishes the next version: {@code writer} fills a temporary directory (SavedModel and a manifest
   * carrying {@code version}), which is then renamed to {@code <name>/<version>}. If the writer throws,
   * the temporary directory is removed and nothing is published.
   */
  public int publish(String name, VersionedWriter writer) {
    synchronized (BundleStore.class) { // FileLock excludes other processes, not other threads
      return publishLocked(name, writer);
    }
  }

  /**
   * Fails (IllegalArgumentException) unless {@code name}'s directory, if it exists, is the model's own:
   * a real directory {@code <root>/<name>}, not a symbolic link. Publishing checks it; a trainer also
   * checks it before it trains.
   */
  public Path requireOwnDirectory(String name) {
    Path modelDir = root.resolve(checkModelName(name));
    if (!Files.exists(modelDir, LinkOption.NOFOLLOW_LINKS)) {
      return modelDir;
    }
    try {
      if (Files.isSymbolicLink(modelDir) || !Files.isDirectory(modelDir, LinkOption.NOFOLLOW_LINKS)
          || !modelDir.toRealPath().equals(root.toRealPath().resolve(name))) {
        throw new IllegalArgumentException("model '" + name + "' cannot be published: its place in the model store "
            + "is not a directory of its own (a symbolic link or a file), so writing there could reach another "
            + "model's versions");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check the directory of model '" + name + "' in " + root, e);
    }
    return modelDir;
  }

  private int publishLocked(String name, VersionedWriter writer) {
    Path modelDir = requireOwnDirectory(name);
    try {
      Files.createDirectories(modelDir);
      requireOwnDirectory(name);  // as created (by us or, in between, by someone else)
      try (FileChannel ch = FileChannel.open(modelDir.resolve(".lock"), StandardOpenOption.CREATE,
          StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
        ch.lock(); // released when the channel closes
        removeAbandonedTemps(modelDir);
        int version = latestVersion(name).orElse(0) + 1;
        while (Files.exists(modelDir.resolve(Integer.toString(version)), LinkOption.NOFOLLOW_LINKS)) {
          version++; // an incomplete directory (or a link) not made by us: never overwrite it
        }
        Path tmp = modelDir.resolve(TMP + ProcessHandle.current().pid() + "-" + UUID.randomUUID());
        try {
          writer.write(tmp, version);
          if (!Files.exists(tmp.resolve(BundleWriter.MANIFEST))) {
            throw new IllegalStateException("the bundle writer wrote no " + BundleWriter.MANIFEST);
          }
          Files.move(tmp, modelDir.resolve(Integer.toString(version)), StandardCopyOption.ATOMIC_MOVE);
          return version;
        } finally {
          FileTrees.delete(tmp);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot publish model '" + name + "' in " + root, e);
    }
  }

  /** Writes a bundle for a version number chosen by the store. */
  @FunctionalInterface
  public interface VersionedWriter {
    void write(Path dir, int version) throws IOException;
  }

  /** Convenience: publish a model's bundle with a manifest template. */
  public int publish(String name, io.convnet.nn.Model model, Manifest manifest) {
    return publish(name, (dir, version) -> BundleWriter.write(model, manifest.withVersion(version), dir));
  }

  private static void removeAbandonedTemps(Path modelDir) throws IOException {
    try (Stream<Path> s = Files.list(modelDir)) {
      for (Path p : s.filter(p -> p.getFileName().toString().startsWith(TMP)).toList()) {
        String rest = p.getFileName().toString().substring(TMP.length());
        int dash = rest.indexOf('-');
        long pid = dash > 0 && rest.substring(0, dash).chars().allMatch(Character::isDigit)
            ? Long.parseLong(rest.substring(0, dash)) : 0;
        boolean writerAlive = pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        if (!writerAlive) {
          FileTrees.delete(p);
        }
      }
    }
  }

}
