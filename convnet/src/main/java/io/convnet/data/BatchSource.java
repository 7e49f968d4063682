package io.convnet.data;

import java.util.Iterator;
import java.util.List;

/** Batches of a labelled image set, epoch by epoch. */
public interface BatchSource extends AutoCloseable {

  /** Class names, index = label value (folder names in sorted order). */
  List<String> classNames();

  int imageCount();

  int batchSize();

  default int batchesPerEpoch() {
    return (imageCount() + batchSize() - 1) / batchSize();
  }

  /** The batches of one epoch, in order; the same seed and epoch always give the same batches. */
  Iterator<Batch> epoch(int epoch);

  @Override
  void close();
}
