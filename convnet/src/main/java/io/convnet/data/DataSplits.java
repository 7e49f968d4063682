package io.convnet.data;

import java.nio.file.Path;

/**
 * The tutorial's layout: {@code <dir>/train/<class>/...} and {@code <dir>/validation/<class>/...}.
 * The validation source gets the same preprocessing and batch size, no augmentation and no shuffling,
 * and must have the same classes as the training source. Both are confined to a {@link DataRoot}: the
 * data folder itself, or a root above it.
 */
public record DataSplits(FolderDataset training, FolderDataset validation) implements AutoCloseable {
  public static final String TRAIN = "train";
  public static final String VALIDATION = "validation";

  /** Validation options derived from the training ones ({@link PipelineOptions#forEvaluation()}). */
  public static DataSplits open(Path directory, PipelineOptions training) {
    return open(directory, training, training.forEvaluation());
  }

  /** The data folder is the data root. */
  public static DataSplits open(Path directory, PipelineOptions training, PipelineOptions validation) {
    return open(DataRoot.folder(directory), directory, training, validation);
  }

  /** A data folder under {@code root}: links may lead anywhere within the root, never out of it. */
  public static DataSplits open(DataRoot root, Path directory, PipelineOptions training,
      PipelineOptions validation) {
    FolderDataset train = FolderDataset.open(
        ImageFolder.scan(root, directory.resolve(TRAIN), training.maxPerClass()), training);
    try {
      FolderDataset valid = FolderDataset.open(
          ImageFolder.scan(root, directory.resolve(VALIDATION), validation.maxPerClass()), validation);
      if (!valid.classNames().equals(train.classNames())) {
        valid.close();
        throw new DataException("validation classes " + valid.classNames() + " in " + valid.directory()
            + " differ from training classes " + train.classNames() + " in " + train.directory());
      }
      return new DataSplits(train, valid);
    } catch (RuntimeException e) {
      train.close();
      throw e;
    }
  }

  @Override
  public void close() {
    training.close();
    validation.close();
  }
}
