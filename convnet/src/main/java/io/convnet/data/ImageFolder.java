package io.convnet.data;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files of an image data set laid out like Keras' {@code flow_from_directory}:
 * {@code <dir>/<class>/<image>}. Class names are the sub-folder names in sorted order (index = label);
 * images are the files with a {@code .jpg}, {@code .jpeg} or {@code .png} extension (any case) directly
 * in a class folder, in sorted order. Other files are ignored (and counted in the log), as are hidden
 * entries (names starting with '.', e.g. {@code .ipynb_checkpoints}, which Keras would take as a class).
 * The extension only selects files; decoding sniffs the real format.
 */
public final class ImageFolder {
  private static final Logger LOG = LoggerFactory.getLogger(ImageFolder.class);

  /** Lower-case extensions of the files taken as images. */
  public static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png");

  private final Path directory;
  private final List<String> classNames;
  private final List<LabelledFile> files;

  private ImageFolder(Path directory, List<String> classNames, List<LabelledFile> files) {
    this.directory = directory;
    this.classNames = List.copyOf(classNames);
    this.files = List.copyOf(files);
  }

  /** All images of every class. */
  public static ImageFolder scan(Path directory) {
    return scan(directory, 0);
  }

  /**
   * At most {@code maxPerClass} images of each class, the first ones in sorted order (0 = all): the
   * tutorial trained on the first 1000 cats and 1000 dogs.
   */
  public static ImageFolder scan(Path directory, int maxPerClass) {
    if (maxPerClass < 0) {
      throw new IllegalArgumentException("maxPerClass must be 0 (all) or positive, got " + maxPerClass);
    }
    requireFolder(directory);
    List<Path> classDirs = new ArrayList<>();
    for (Path entry : list(directory)) {
      if (Files.isDirectory(entry) && !hidden(entry)) {
        classDirs.add(entry);
      }
    }
    if (classDirs.isEmpty()) {
      throw new DataException("data folder " + directory
          + " has no class sub-folders; expected <folder>/<class name>/<images>, e.g. train/cat/cat.1.jpg");
    }
    if (classDirs.size() < 2) {
      throw new DataException("data folder " + directory + " has only one class sub-folder ('"
          + classDirs.get(0).getFileName() + "'); a classifier needs at least 2 classes");
    }
    List<String> names = new ArrayList<>();
    List<LabelledFile> files = new ArrayList<>();
    for (int label = 0; label < classDirs.size(); label++) {
      Path classDir = classDirs.get(label);
      names.add(classDir.getFileName().toString());
      List<Path> images = images(classDir);
      if (images.isEmpty()) {
        throw new DataException("class folder " + classDir + " has no images (.jpg, .jpeg or .png files)");
      }
      int n = maxPerClass == 0 ? images.size() : Math.min(maxPerClass, images.size());
      for (int i = 0; i < n; i++) {
        files.add(new LabelledFile(images.get(i), label));
      }
    }
    return new ImageFolder(directory, names, files);
  }

  /**
   * The images directly in {@code directory}, without labels (label -1, no class names): a folder to
   * score rather than to train on.
   */
  public static ImageFolder unlabelled(Path directory) {
    requireFolder(directory);
    List<Path> images = images(directory);
    if (images.isEmpty()) {
      throw new DataException("folder " + directory + " has no images (.jpg, .jpeg or .png files)");
    }
    List<LabelledFile> files = new ArrayList<>();
    for (Path image : images) {
      files.add(new LabelledFile(image, LabelledFile.UNLABELLED));
    }
    return new ImageFolder(directory, List.of(), files);
  }

  /** A data set from an explicit file list (labels must index {@code classNames}, or be -1). */
  public static ImageFolder of(Path directory, List<String> classNames, List<LabelledFile> files) {
    for (LabelledFile f : files) {
      if (f.label() < LabelledFile.UNLABELLED || f.label() >= classNames.size()) {
        throw new IllegalArgumentException("label " + f.label() + " of " + f.path() + " is not a class index");
      }
    }
    if (files.isEmpty()) {
      throw new DataException("data set " + directory + " has no images");
    }
    return new ImageFolder(directory, classNames, files);
  }

  public Path directory() {
    return directory;
  }

  /** Index = label. Empty for an unlabelled folder. */
  public List<String> classNames() {
    return classNames;
  }

  /** Class by class, each in sorted file-name order. */
  public List<LabelledFile> files() {
    return files;
  }

  public int size() {
    return files.size();
  }

  /** Number of images of each class, index = label. */
  public int[] classCounts() {
    int[] counts = new int[classNames.size()];
    for (LabelledFile f : files) {
      if (f.label() >= 0) {
        counts[f.label()]++;
      }
    }
    return counts;
  }

  @Override
  public String toString() {
    return "ImageFolder[" + directory + ", classes " + classNames + ", " + files.size() + " images]";
  }

  private static void requireFolder(Path directory) {
    if (!Files.exists(directory)) {
      throw new DataException("data folder " + directory + " does not exist");
    }
    if (!Files.isDirectory(directory)) {
      throw new DataException("data folder " + directory + " is not a folder");
    }
  }

  private static List<Path> images(Path folder) {
    List<Path> images = new ArrayList<>();
    int ignored = 0;
    for (Path entry : list(folder)) {
      if (hidden(entry) || Files.isDirectory(entry)) {
        continue;
      }
      if (EXTENSIONS.contains(extension(entry)) && Files.isRegularFile(entry)) {
        images.add(entry);
      } else {
        ignored++;
      }
    }
    if (ignored > 0) {
      LOG.info("{}: ignored {} file(s) without a .jpg, .jpeg or .png extension", folder, ignored);
    }
    return images;
  }

  /** Entries sorted by name (code point order, as Python's {@code sorted}). */
  private static List<Path> list(Path folder) {
    List<Path> entries = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(folder)) {
      stream.forEach(entries::add);
    } catch (IOException e) {
      throw new DataException("cannot list data folder " + folder + ": " + e, e);
    }
    entries.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
    return Collections.unmodifiableList(entries);
  }

  private static boolean hidden(Path entry) {
    return entry.getFileName().toString().startsWith(".");
  }

  private static String extension(Path file) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
  }
}
