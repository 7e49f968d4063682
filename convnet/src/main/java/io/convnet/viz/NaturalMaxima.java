package io.convnet.viz;

import io.convnet.bundle.Manifest;
import io.convnet.data.Batch;
import io.convnet.data.DataException;
import io.convnet.data.DataRoot;
import io.convnet.data.DataSplits;
import io.convnet.data.FolderDataset;
import io.convnet.data.ImageFolder;
import io.convnet.data.PipelineOptions;
import io.convnet.data.PrefetchIterator;
import io.convnet.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The largest activation each filter reaches on real images: per conv layer and filter, the maximum
 * over a folder of images (the model's validation images) of the filter's spatially averaged output,
 * the same objective activation maximization climbs. A visualized filter's reached activation divided
 * by this is our quality measure. Computed once per model version (one forward pass per batch, all conv
 * layers fetched together) and cached as JSON.
 *
 * @param source the folder the images came from
 * @param images how many images were seen
 * @param maxima per conv layer, one value per filter
 */
public record NaturalMaxima(String model, int version, String source, int images, Map<String, float[]> maxima) {
  private static final Logger LOG = LoggerFactory.getLogger(NaturalMaxima.class);
  public static final String CACHE_FILE = "natural-maxima.json";

  /** The filter's natural maximum, or NaN when unknown. */
  public double max(String layer, int filter) {
    float[] m = maxima.get(layer);
    return m == null || filter < 0 || filter >= m.length ? Double.NaN : m[filter];
  }

  /**
   * The validation folder the bundle was trained with: {@code <dataRoot>/<training.data>/validation},
   * if the manifest records the data set and the folder exists under the data root (its real path: a
   * symbolic link leading out of the root does not count).
   */
  public static Optional<Path> validationDir(Manifest manifest, Path dataRoot) {
    Object data = manifest.training() == null ? null : manifest.training().get("data");
    if (!(data instanceof String name) || name.isBlank() || dataRoot == null || !Files.isDirectory(dataRoot)) {
      return Optional.empty();
    }
    try {
      Path dir = new DataRoot(dataRoot).resolve(name + "/" + DataSplits.VALIDATION);
      return Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
    } catch (DataException e) {
      LOG.debug("no validation folder for natural maxima: {}", e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * Runs up to {@code maxPerClass} images of each class sub-folder of {@code folder} (0 = all; images
   * directly in the folder when it has no class sub-folders) through the model.
   */
  public static NaturalMaxima compute(VisualModel model, Path folder, int maxPerClass) {
    ImageFolder images;
    try {
      images = ImageFolder.scan(folder, maxPerClass);
    } catch (DataException e) {
      images = ImageFolder.unlabelled(folder);
    }
    List<String> layers = model.convLayers();
    Map<String, float[]> maxima = new LinkedHashMap<>();
    for (String l : layers) {
      float[] m = new float[model.channels(l)];
      java.util.Arrays.fill(m, Float.NEGATIVE_INFINITY);
      maxima.put(l, m);
    }
    int seen = 0;
    PipelineOptions options = PipelineOptions.evaluation(model.preprocessing()).withSkipUnreadable(true)
        .withCacheBudgetBytes(0);
    long t0 = System.nanoTime();
    try (FolderDataset set = FolderDataset.open(images, options); PrefetchIterator<Batch> it = set.epoch(0)) {
      while (it.hasNext()) {
        Batch b = it.next();
        List<float[]> means = model.channelMeans(b.pixels(), b.size(), layers);
        for (int t = 0; t < layers.size(); t++) {
          float[] m = maxima.get(layers.get(t));
          float[] batch = means.get(t);
          int c = m.length;
          for (int i = 0; i < b.size(); i++) {
            for (int k = 0; k < c; k++) {
              m[k] = Math.max(m[k], batch[i * c + k]);
            }
          }
        }
        seen += b.size();
      }
    }
    LOG.info("natural maxima of {} v{}: {} images of {} in {} ms", model.name(), model.version(), seen, folder,
        (System.nanoTime() - t0) / 1_000_000);
    return new NaturalMaxima(model.name(), model.version(), folder.toString(), seen, maxima);
  }

  /** The cached maxima in {@code cacheDir} if they are this model version's, else computed and cached. */
  public static NaturalMaxima loadOrCompute(VisualModel model, Path folder, int maxPerClass, Path cacheDir) {
    Path file = cacheDir.resolve(CACHE_FILE);
    if (Files.isRegularFile(file)) {
      try {
        NaturalMaxima cached = Json.read(file, NaturalMaxima.class);
        if (cached.model().equals(model.name()) && cached.version() == model.version()
            && cached.source().equals(folder.toString())) {
          return cached;
        }
      } catch (RuntimeException e) {
        LOG.warn("ignoring unreadable {}: {}", file, e.getMessage());
      }
    }
    NaturalMaxima computed = compute(model, folder, maxPerClass);
    Json.write(file, computed);
    return computed;
  }
}
