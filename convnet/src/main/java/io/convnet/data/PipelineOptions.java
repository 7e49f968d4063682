package io.convnet.data;

/**
 * How a {@link FolderDataset} prepares its batches. Start from {@link #training} or
 * {@link #evaluation} and adjust with the {@code with...} methods.
 *
 * @param preprocessing input size and pixel scaling
 * @param batchSize images per batch (the last batch of an epoch may be smaller)
 * @param shuffle a new order every epoch (training) or the folder order (validation, evaluation)
 * @param augmentation applied to every image; {@link Augmentation#none()} for none
 * @param seed with the epoch and image index, determines order and augmentation
 * @param maxPerClass at most this many images per class, the first in sorted order; 0 = all
 * @param workers background threads that decode and augment
 * @param prefetch batches prepared ahead of the consumer (the bounded queue's depth)
 * @param cacheBudgetBytes keep every decoded and resized image in memory (uint8, {@code h*w*3} bytes
 *     each) when the whole set fits this budget, so later epochs only augment; 0 = never
 * @param skipUnreadable log and skip images that cannot be decoded instead of failing
 */
public record PipelineOptions(
    Preprocessing preprocessing,
    int batchSize,
    boolean shuffle,
    Augmentation augmentation,
    long seed,
    int maxPerClass,
    int workers,
    int prefetch,
    long cacheBudgetBytes,
    boolean skipUnreadable) {

  public static final int DEFAULT_BATCH_SIZE = 32;
  public static final long DEFAULT_SEED = 1;

  public PipelineOptions {
    if (preprocessing == null) {
      throw new IllegalArgumentException("preprocessing is required");
    }
    if (augmentation == null) {
      throw new IllegalArgumentException("augmentation is required (Augmentation.none() for none)");
    }
    if (batchSize <= 0 || workers <= 0 || prefetch <= 0) {
      throw new IllegalArgumentException("batchSize, workers and prefetch must be positive, got "
          + batchSize + ", " + workers + ", " + prefetch);
    }
    if (maxPerClass < 0 || cacheBudgetBytes < 0) {
      throw new IllegalArgumentException("maxPerClass and cacheBudgetBytes must not be negative");
    }
  }

  /**
   * Training: shuffled, the tutorial's augmentation, batch 32, workers = half the cores (1..4),
   * prefetch = 2 x workers (at least 2), cache budget = a quarter of the maximum heap.
   */
  public static PipelineOptions training(Preprocessing preprocessing) {
    int workers = defaultWorkers();
    return new PipelineOptions(preprocessing, DEFAULT_BATCH_SIZE, true, Augmentation.tutorial(), DEFAULT_SEED,
        0, workers, Math.max(2, 2 * workers), Runtime.getRuntime().maxMemory() / 4, false);
  }

  /** Validation and evaluation: the training defaults without shuffling or augmentation. */
  public static PipelineOptions evaluation(Preprocessing preprocessing) {
    return training(preprocessing).forEvaluation();
  }

  /** The same options without shuffling or augmentation: for the validation split. */
  public PipelineOptions forEvaluation() {
    return new PipelineOptions(preprocessing, batchSize, false, Augmentation.none(), seed, maxPerClass,
        workers, prefetch, cacheBudgetBytes, skipUnreadable);
  }

  public PipelineOptions withBatchSize(int value) {
    return new PipelineOptions(preprocessing, value, shuffle, augmentation, seed, maxPerClass, workers,
        prefetch, cacheBudgetBytes, skipUnreadable);
  }

  public PipelineOptions withShuffle(boolean value) {
    return new PipelineOptions(preprocessing, batchSize, value, augmentation, seed, maxPerClass, workers,
        prefetch, cacheBudgetBytes, skipUnreadable);
  }

  public PipelineOptions withAugmentation(Augmentation value) {
    return new PipelineOptions(preprocessing, batchSize, shuffle, value, seed, maxPerClass, workers,
        prefetch, cacheBudgetBytes, skipUnreadable);
  }

  public PipelineOptions withSeed(long value) {
    return new PipelineOptions(preprocessing, batchSize, shuffle, augmentation, value, maxPerClass, workers,
        prefetch, cacheBudgetBytes, skipUnreadable);
  }

  public PipelineOptions withMaxPerClass(int value) {
    return new PipelineOptions(preprocessing, batchSize, shuffle, augmentation, seed, value, workers,
        prefetch, cacheBudgetBytes, skipUnreadable);
  }

  /** Worker threads; the prefetch depth is raised to at least the worker count. */
  public PipelineOptions withWorkers(int value) {
    return new PipelineOptions(preprocessing, batchSize, shuffle, augmentation, seed, maxPerClass, value,
        Math.max(prefetch, value), cacheBudgetBytes, skipUnreadable);
  }

  public PipelineOptions withPrefetch(int value) {
    return new PipelineOptions(preprocessing, batchSize, shuffle, augmentation, seed, maxPerClass, workers,
        value, cacheBudgetBytes, skipUnreadable);
  }

  /** 0 turns the decode-cache off. */
  public PipelineOptions withCacheBudgetBytes(long value) {
    return new PipelineOptions(preprocessing, batchSize, shuffle, augmentation, seed, maxPerClass, workers,
        prefetch, value, skipUnreadable);
  }

  public PipelineOptions withSkipUnreadable(boolean value) {
    return new PipelineOptions(preprocessing, batchSize, shuffle, augmentation, seed, maxPerClass, workers,
        prefetch, cacheBudgetBytes, value);
  }

  /** Bytes the decode-cache needs for {@code images} images. */
  public long cacheBytes(int images) {
    return (long) images * (preprocessing.height() * preprocessing.width() * 3L + 16);
  }

  private static int defaultWorkers() {
    return Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors() / 2));
  }
}
