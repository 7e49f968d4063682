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
 *
 * <p>Every folder and file is confined to a {@link DataRoot} (the folder scanned, unless given): a class
 * folder or image whose symbolic link leads out of the root fails the scan, naming every such entry; the
 * files are read through {@link DataRoot#open}, which checks again. A whole data set or none: a model
 * trained on what is left would silently differ from the one asked for (without a class folder, even in
 * its labels), and a link out is either a mistake to fix or an attempt to read what the data root is
 * there to keep out. A broken link with an image extension is listed and fails as an unreadable image.
 */
public final class ImageFolder {
  private static final Logger LOG = LoggerFactory.getLogger(ImageFolder.class);

  /** Lower-case extensions of the files taken as images. */
  public static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png");

  private final DataRoot root;
  private final Path directory;
  private final List<String> classNames;
  private final List<LabelledFile> files;

  private ImageFolder(DataRoot root, Path directory, List<String> classNames, List<LabelledFile> files) {
    this.root = root;
    this.directory = directory;
    this.classNames = List.copyOf(classNames);
    this.files = List.copyOf(files);
  }

  /** All images of every class; {@code directory} is the data root. */
  public static ImageFolder scan(Path directory) {
    return scan(directory, 0);
  }

  /**
   * At most {@code maxPerClass} images of each class, the first ones in sorted order (0 = all): the
   * tutorial trained on the first 1000 cats and 1000 dogs. {@code directory} is the data root.
   */
  public static ImageFolder scan(Path directory, int maxPerClass) {
    return scan(DataRoot.folder(directory), directory, maxPerClass);
  }

  /** As {@link #scan(Path, int)}, for a folder under {@code root} (links may lead anywhere within it). */
  public static ImageFolder scan(DataRoot root, Path directory, int maxPerClass) {
    if (maxPerClass < 0) {
      throw new IllegalArgumentException("maxPerClass must be 0 (all) or positive, got " + maxPerClass);
    }
    root.requireFolder(directory);
    List<Path> outside = new ArrayList<>();
    List<Path> classDirs = new ArrayList<>();
    for (Path entry : list(directory)) {
      if (!hidden(entry) && Files.isDirectory(entry)) {
        (root.leadsOutside(entry) ? outside : classDirs).add(entry);
      } else if (!hidden(entry)) {
        warnIfBroken(root, entry);
      }
    }
    List<List<Path>> images = new ArrayList<>();
    for (Path classDir : classDirs) {
      List<Path> all = images(root, classDir);
      List<Path> taken = maxPerClass == 0 ? all : all.subList(0, Math.min(maxPerClass, all.size()));
      taken.stream().filter(root::leadsOutside).forEach(outside::add);
      images.add(taken);
    }
    if (!outside.isEmpty()) {
      throw root.outside(directory, outside);
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
      if (images.get(label).isEmpty()) {
        throw new DataException("class folder " + classDir + " has no images (.jpg, .jpeg or .png files)");
      }
      for (Path image : images.get(label)) {
        files.add(new LabelledFile(image, label));
      }
    }
    return new ImageFolder(root, directory, names, files);
  }

  /**
   * The images directly in {@code directory}, without labels (label -1, no class names): a folder to
   * score rather than to train on.
   */
  public static ImageFolder unlabelled(Path directory) {
    DataRoot root = DataRoot.folder(directory);
    List<Path> images = images(root, directory);
    List<Path> outside = images.stream().filter(root::leadsOutside).toList();
    if (!outside.isEmpty()) {
      throw root.outside(directory, outside);
    }
    if (images.isEmpty()) {
      throw new DataException("folder " + directory + " has no images (.jpg, .jpeg or .png files)");
    }
    List<LabelledFile> files = new ArrayList<>();
    for (Path image : images) {
      files.add(new LabelledFile(image, LabelledFile.UNLABELLED));
    }
    return new ImageFolder(root, directory, List.of(), files);
  }

  /**
   * A data set from an explicit file list (labels must index {@code classNames}, or be -1), confined to
   * {@code directory} as its data root.
   */
  public static ImageFolder of(Path directory, List<String> classNames, List<LabelledFile> files) {
    for (LabelledFile f : files) {
      if (f.label() < LabelledFile.UNLABELLED || f.label() >= classNames.size()) {
        throw new IllegalArgumentException("label " + f.label() + " of " + f.path() + " is not a class index");
      }
    }
    if (files.isEmpty()) {
      throw new DataException("data set " + directory + " has no images");
    }
    DataRoot root = DataRoot.folder(directory);
    List<Path> outside = files.stream().map(LabelledFile::path).filter(root::leadsOutside).toList();
    if (!outside.isEmpty()) {
      throw root.outside(directory, outside);
    }
    return new ImageFolder(root, directory, classNames, files);
  }

  /** The root every file of this data set is read under. */
  public DataRoot root() {
    return root;
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

  /**
   * The image files directly in {@code folder}: an image extension, and a regular file, or a broken link
   * (listed so that reading it fails, naming it, as an unreadable image does).
   */
  private static List<Path> images(DataRoot root, Path folder) {
    List<Path> images = new ArrayList<>();
    int ignored = 0;
    for (Path entry : list(folder)) {
      if (hidden(entry) || Files.isDirectory(entry)) {
        continue;
      }
      boolean image = EXTENSIONS.contains(extension(entry));
      if (image && (Files.isRegularFile(entry) || broken(entry))) {
        images.add(entry);
      } else {
        if (!image) {
          warnIfBroken(root, entry);
        }
        ignored++;
      }
    }
    if (ignored > 0) {
      LOG.info("{}: ignored {} file(s) without a .jpg, .jpeg or .png extension or not regular files", folder,
          ignored);
    }
    return images;
  }

  /** A symbolic link whose target does not exist, or that loops. */
  private static boolean broken(Path entry) {
    return Files.isSymbolicLink(entry) && !Files.exists(entry);
  }

  private static void warnIfBroken(DataRoot root, Path entry) {
    if (broken(entry)) {
      LOG.warn("{}: broken symbolic link (its target does not exist, or it loops); ignored", root.name(entry));
    }
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
