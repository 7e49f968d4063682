package io.convnet.bundle;

import io.convnet.limits.TrainingLimits;
import io.convnet.util.AtomicFiles;
import io.convnet.util.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
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
 *
 * <p>A deleted version ({@link #remove}) disappears whole, like a published one appears, and its number
 * is never given again: the highest number ever published is kept in {@code <name>/.highest-version}.
 */
public final class BundleStore {
  private static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,8}");
  private static final String TMP = ".tmp-";
  private static final String HIGHEST = ".highest-version";

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

  /** Whether {@code version} of a model is published (a stat, cheaper than listing {@link #versions}). */
  public boolean has(String name, int version) {
    return version > 0 && Files.isRegularFile(path(name, version).resolve(BundleWriter.MANIFEST));
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
    return locked(name, "publish", modelDir -> {
      removeAbandonedTemps(modelDir);
      int version = Math.max(latestVersion(name).orElse(0), highestDeleted(modelDir)) + 1;
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
    });
  }

  /**
   * Deletes a published version; only inside {@link #locked}, with the {@code modelDir} it gives. Readers
   * see the version whole or not at all: its directory is renamed into the model's work area (a temporary
   * directory, which the next publish removes should this process die first) and deleted there. Its number
   * is kept first as the highest ever published, so the next publish takes a higher one.
   */
  public void remove(Path modelDir, int version) throws IOException {
    String name = modelDir.getFileName().toString();
    if (!versions(name).contains(version)) {
      throw new IllegalArgumentException("model '" + name + "' has no version " + version);
    }
    int highest = Math.max(highestDeleted(modelDir), latestVersion(name).orElse(0));
    AtomicFiles.write(modelDir.resolve(HIGHEST), Integer.toString(highest).getBytes(StandardCharsets.US_ASCII));
    Path aside = modelDir.resolve(TMP + ProcessHandle.current().pid() + "-" + UUID.randomUUID());
    Files.move(modelDir.resolve(Integer.toString(version)), aside, StandardCopyOption.ATOMIC_MOVE);
    FileTrees.delete(aside);
  }

  /** The highest version number kept when versions were deleted; 0 when none was. */
  private static int highestDeleted(Path modelDir) throws IOException {
    Path file = modelDir.resolve(HIGHEST);
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      return 0;
    }
    String kept = Files.readString(file, StandardCharsets.US_ASCII).trim();
    if (!VERSION.matcher(kept).matches()) {
      throw new IOException(file + " holds no version number");
    }
    return Integer.parseInt(kept);
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

  /**
   * Runs {@code work} on the model's own directory (created if missing) holding the model's lock, which
   * every writer of the model holds (this process's threads and other processes: a file lock): publishing
   * a version, deleting one and changing the model's labels happen one at a time. {@code what} names the work in errors
   * ("cannot publish model ...").
   */
  public <T> T locked(String name, String what, LockedWork<T> work) {
    synchronized (BundleStore.class) { // FileLock excludes other processes, not other threads
      Path modelDir = requireOwnDirectory(name);
      try {
        Files.createDirectories(modelDir);
        requireOwnDirectory(name);  // as created (by us or, in between, by someone else)
        try (FileChannel ch = FileChannel.open(modelDir.resolve(".lock"), StandardOpenOption.CREATE,
            StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
          ch.lock(); // released when the channel closes
          return work.run(modelDir);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot " + what + " model '" + name + "' in " + root, e);
      }
    }
  }

  /** What {@link #locked} runs. */
  @FunctionalInterface
  public interface LockedWork<T> {
    T run(Path modelDir) throws IOException;
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
