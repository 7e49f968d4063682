package io.convnet.data;

import java.nio.file.Path;
import java.util.List;

/**
 * A batch with the file each image came from, in batch order: for evaluation reports and scoring a
 * folder.
 */
public record NamedBatch(Batch batch, List<Path> files) {
  public NamedBatch {
    files = List.copyOf(files);
    if (files.size() != batch.size()) {
      throw new IllegalArgumentException(files.size() + " file names for a batch of " + batch.size());
    }
  }
}
