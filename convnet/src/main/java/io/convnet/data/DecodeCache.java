package io.convnet.data;

import io.convnet.image.ImageDecodeException;
import io.convnet.image.RgbImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Fills a {@link FolderDataset}'s decode-cache: every file decoded and resized once, in parallel. */
final class DecodeCache {
  private static final Logger LOG = LoggerFactory.getLogger(DecodeCache.class);

  private DecodeCache() {}

  /** Decodes every file in parallel; failed slots stay null when skipping, else the open fails. */
  static RgbImage[] fill(ImageFolder folder, ExecutorService workers, Function<LabelledFile, RgbImage> load,
      PipelineOptions options) {
    List<LabelledFile> all = folder.files();
    long start = System.nanoTime();
    RgbImage[] images = new RgbImage[all.size()];
    String[] errors = new String[all.size()];
    int chunk = 16;
    List<Future<?>> tasks = new ArrayList<>();
    for (int from = 0; from < all.size(); from += chunk) {
      int first = from;
      int end = Math.min(all.size(), from + chunk);
      tasks.add(workers.submit(() -> {
        for (int i = first; i < end && !Thread.currentThread().isInterrupted(); i++) {
          try {
            images[i] = load.apply(all.get(i));
          } catch (ImageDecodeException e) {
            errors[i] = e.getMessage();
          }
        }
      }));
    }
    try {
      for (Future<?> task : tasks) {
        task.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted while decoding " + folder.directory());
    } catch (ExecutionException e) {
      if (e.getCause() instanceof DataException d) {  // e.g. a file that leads outside the data root
        throw new DataException(d.getMessage(), d);
      }
      throw new DataException("decoding " + folder.directory() + " failed: " + e.getCause(), e.getCause());
    }
    List<String> failures = new ArrayList<>();
    for (String error : errors) {
      if (error != null) {
        failures.add(error);
      }
    }
    if (!failures.isEmpty()) {
      if (!options.skipUnreadable()) {
        throw new DataException(unreadableMessage(folder, failures));
      }
      failures.forEach(f -> LOG.warn("skipping unreadable image {}", f));
    }
    LOG.info("{}: decoded and cached {} images ({} MB) in {} ms{}", folder.directory(), all.size() - failures.size(),
        options.cacheBytes(all.size()) >> 20, (System.nanoTime() - start) / 1_000_000,
        failures.isEmpty() ? "" : ", skipped " + failures.size() + " unreadable");
    return images;
  }

  private static String unreadableMessage(ImageFolder folder, List<String> failures) {
    int shown = Math.min(5, failures.size());
    String list = String.join("; ", failures.subList(0, shown));
    return String.format(Locale.ROOT, "%s in data set %s: %s%s",
        failures.size() == 1 ? "unreadable image" : failures.size() + " unreadable images",
        folder.directory(), list, failures.size() > shown ? "; and " + (failures.size() - shown) + " more" : "");
  }
}
