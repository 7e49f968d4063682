package io.convnet.data;

import io.convnet.image.ImageDecodeException;
import io.convnet.image.ImageDecoder;
import io.convnet.image.RgbImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link BatchSource} over an {@link ImageFolder}: decode, resize, augment and scale on background
 * threads, delivered in order through a bounded prefetch queue ({@link PrefetchIterator}).
 *
 * <p><b>Determinism.</b> The order of epoch {@code e} comes from {@code (seed, e)}; the augmentation
 * of image {@code i} in epoch {@code e} from {@code (seed, e, i)}. Thread count, timing and the cache
 * therefore never change a batch: the same seed and epoch give bit-identical batches.
 *
 * <p><b>Decode-cache.</b> When all images fit {@link PipelineOptions#cacheBudgetBytes()}, {@link #open}
 * decodes and resizes every file once (in parallel) and keeps the uint8 pixels; epochs then only
 * augment and scale. 4000 images at 150x150 take 270 MB. Without the cache each epoch decodes again.
 *
 * <p><b>Confinement.</b> Files are read through the folder's {@link DataRoot}: one whose real path has
 * left the root since the folder was scanned fails the data set ({@link DataException}), skipping or not.
 *
 * <p><b>Unreadable files.</b> With the cache, {@link #open} fails naming the files; without it, the
 * epoch fails when it reaches one. With {@link PipelineOptions#skipUnreadable()} they are logged,
 * counted ({@link #skippedCount()}) and left out (without the cache: out of their batch, which is then
 * smaller).
 *
 * <p>{@link #close()} stops the worker threads (within a few milliseconds); an epoch still being read
 * then fails with {@link IllegalStateException}.
 */
public final class FolderDataset implements BatchSource {
  private static final Logger LOG = LoggerFactory.getLogger(FolderDataset.class);
  private static final long SHUFFLE_KEY = 0x5348554646L;
  private static final AtomicInteger POOLS = new AtomicInteger();

  private final ImageFolder folder;
  private final List<LabelledFile> files;
  private final PipelineOptions options;
  private final ImageDecoder decoder;
  private final ExecutorService workers;
  private final List<Thread> workerThreads = new CopyOnWriteArrayList<>();
  private final RgbImage[] cache;
  private final Set<Integer> unreadable = ConcurrentHashMap.newKeySet();
  private final int skippedAtOpen;
  private volatile boolean closed;
  /** The next epoch, started while the current one drains (see {@link #epoch}). */
  private PrefetchIterator<Batch> ahead;
  private int aheadEpoch;

  private FolderDataset(ImageFolder folder, PipelineOptions options, ImageDecoder decoder) {
    this.folder = folder;
    this.options = options;
    this.decoder = decoder;
    this.workers = Executors.newFixedThreadPool(options.workers(), threads(folder.directory(), workerThreads));
    boolean cached = options.cacheBudgetBytes() > 0 && options.cacheBytes(folder.size()) <= options.cacheBudgetBytes();
    if (!cached && options.cacheBudgetBytes() > 0) {
      LOG.info("{}: not caching decoded images ({} MB needed, budget {} MB)", folder.directory(),
          options.cacheBytes(folder.size()) >> 20, options.cacheBudgetBytes() >> 20);
    }
    if (cached) {
      RgbImage[] all;
      try {
        all = DecodeCache.fill(folder, workers, this::load, options);
      } catch (RuntimeException e) {
        shutdown();
        throw e;
      }
      List<LabelledFile> kept = new ArrayList<>();
      List<RgbImage> keptPixels = new ArrayList<>();
      for (int i = 0; i < all.length; i++) {
        if (all[i] != null) {
          kept.add(folder.files().get(i));
          keptPixels.add(all[i]);
        }
      }
      this.files = List.copyOf(kept);
      this.cache = keptPixels.toArray(new RgbImage[0]);
      this.skippedAtOpen = all.length - kept.size();
      if (files.isEmpty()) {
        shutdown();
        throw new DataException("data set " + folder.directory() + " has no readable images");
      }
    } else {
      this.files = folder.files();
      this.cache = null;
      this.skippedAtOpen = 0;
    }
  }

  /**
   * Scans {@code directory} (class sub-folders, {@link PipelineOptions#maxPerClass()}) and opens it;
   * {@code directory} is the data root.
   */
  public static FolderDataset open(Path directory, PipelineOptions options) {
    return open(ImageFolder.scan(directory, options.maxPerClass()), options);
  }

  /** Opens a scanned folder (its file list is used as is). */
  public static FolderDataset open(ImageFolder folder, PipelineOptions options) {
    return open(folder, options, ImageDecoder.standard());
  }

  public static FolderDataset open(ImageFolder folder, PipelineOptions options, ImageDecoder decoder) {
    return new FolderDataset(folder, options, decoder);
  }

  @Override
  public List<String> classNames() {
    return folder.classNames();
  }

  @Override
  public int imageCount() {
    return files.size();
  }

  @Override
  public int batchSize() {
    return options.batchSize();
  }

  public PipelineOptions options() {
    return options;
  }

  public Path directory() {
    return folder.directory();
  }

  /** The scanned folder (every listed file, including any left out as unreadable). */
  public ImageFolder folder() {
    return folder;
  }

  /** The images in folder order (index = the image index that seeds its augmentation). */
  public List<LabelledFile> files() {
    return files;
  }

  /** Whether decoded images are kept in memory. */
  public boolean isCached() {
    return cache != null;
  }

  /** Images left out because they could not be decoded ({@link PipelineOptions#skipUnreadable()}). */
  public int skippedCount() {
    return skippedAtOpen + unreadable.size();
  }

  /**
   * The batches of {@code epoch}; close the iterator if you stop early. Once all of an epoch's
   * batches are queued, epoch {@code e + 1} starts building behind them, so the step after the epoch
   * boundary does not wait either (for a set whose batches do not depend on the epoch, i.e. without
   * shuffling and augmentation, any next epoch uses it).
   */
  @Override
  public PrefetchIterator<Batch> epoch(int epoch) {
    PrefetchIterator<Batch> started = null;
    synchronized (this) {
      if (ahead != null) {
        boolean same = aheadEpoch == epoch || !(options.shuffle() || !options.augmentation().isNone());
        if (same) {
          started = ahead;
        } else {
          ahead.close();
        }
        ahead = null;
      }
    }
    PrefetchIterator<Batch> it = started != null ? started : startEpoch(epoch);
    it.onAllSubmitted(() -> startAhead(epoch + 1));
    return it;
  }

  private PrefetchIterator<Batch> startEpoch(int epoch) {
    int[] order = order(epoch);
    return iterate(b -> build(epoch, order, b).batch());
  }

  private void startAhead(int epoch) {
    if (closed) {
      return;
    }
    PrefetchIterator<Batch> next;
    try {
      next = startEpoch(epoch);
    } catch (IllegalStateException e) {
      return; // closed meanwhile
    }
    synchronized (this) {
      if (ahead != null) {
        ahead.close();
      }
      ahead = next;
      aheadEpoch = epoch;
    }
  }

  /** As {@link #epoch}, with each image's file: for evaluation reports and scoring a folder. */
  public PrefetchIterator<NamedBatch> epochWithFiles(int epoch) {
    int[] order = order(epoch);
    return iterate(b -> build(epoch, order, b));
  }

  /** The image indices of {@code epoch} in delivery order. */
  public int[] order(int epoch) {
    int[] order = new int[files.size()];
    Arrays.setAll(order, i -> i);
    if (options.shuffle()) {
      SeededRandom.of(options.seed(), epoch, SHUFFLE_KEY).shuffle(order);
    }
    return order;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      shutdown();
    }
  }

  private <T> PrefetchIterator<T> iterate(IntFunction<T> build) {
    if (closed) {
      throw new IllegalStateException("data set " + folder.directory() + " is closed");
    }
    return new PrefetchIterator<>(workers, batchesPerEpoch(), options.prefetch(), build, () -> closed);
  }

  private NamedBatch build(int epoch, int[] order, int batch) {
    Preprocessing prep = options.preprocessing();
    int per = prep.floatsPerImage();
    int from = batch * options.batchSize();
    int n = Math.min(options.batchSize(), order.length - from);
    float[] pixels = new float[n * per];
    int[] labels = new int[n];
    List<Path> names = new ArrayList<>(n);
    int k = 0;
    for (int j = 0; j < n; j++) {
      if (Thread.currentThread().isInterrupted()) {
        throw new CancellationException("data set closed");
      }
      int index = order[from + j];
      RgbImage image = image(index);
      if (image == null) {
        continue;
      }
      if (options.augmentation().isNone()) {
        prep.toFloats(image, pixels, k * per);
      } else {
        options.augmentation()
            .draw(SeededRandom.of(options.seed(), epoch, index), prep.height(), prep.width())
            .apply(image, prep, pixels, k * per);
      }
      labels[k] = files.get(index).label();
      names.add(files.get(index).path());
      k++;
    }
    if (k < n) {
      pixels = Arrays.copyOf(pixels, k * per);
      labels = Arrays.copyOf(labels, k);
    }
    return new NamedBatch(new Batch(pixels, labels, k, prep.height(), prep.width()), names);
  }

  /** The image at the input size, or null when it is unreadable and skipping is allowed. */
  private RgbImage image(int index) {
    if (cache != null) {
      return cache[index];
    }
    if (unreadable.contains(index)) {
      return null;
    }
    try {
      return load(files.get(index));
    } catch (ImageDecodeException e) {
      if (!options.skipUnreadable()) {
        throw new DataException("unreadable image in data set " + folder.directory() + ": " + e.getMessage(), e);
      }
      if (unreadable.add(index)) {
        LOG.warn("skipping unreadable image {}", e.getMessage());
      }
      return null;
    }
  }

  /** Read through the data root (confined: a link leading out fails the data set), named relative to it. */
  private RgbImage load(LabelledFile file) {
    DataRoot root = folder.root();
    String name = root.name(file.path());
    return options.preprocessing().load(decoder, decoder.readFile(file.path(), name, root::open), name);
  }

  /** Stops the workers and waits until their threads have ended (tasks stop between images). */
  private void shutdown() {
    for (Runnable queued : workers.shutdownNow()) {
      if (queued instanceof Future<?> f) {
        f.cancel(false);
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    try {
      workers.awaitTermination(10, TimeUnit.SECONDS);
      for (Thread t : workerThreads) {
        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (workerThreads.stream().anyMatch(Thread::isAlive)) {
      LOG.warn("{}: data workers still running 10 s after close", folder.directory());
    }
  }

  private static ThreadFactory threads(Path directory, List<Thread> created) {
    int pool = POOLS.incrementAndGet();
    AtomicInteger n = new AtomicInteger();
    String name = directory.getFileName() == null ? "data" : directory.getFileName().toString();
    return r -> {
      Thread t = new Thread(r, "convnet-data-" + pool + "-" + name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      created.add(t);
      return t;
    };
  }
}
