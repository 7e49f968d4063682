package io.convnet.visualizer;

import io.convnet.kit.config.Setting;
import java.util.List;

/** The visualizer's own settings (the kit's are in {@link io.convnet.kit.config.Settings}); docs/configuration.md lists them. */
public final class VisualizerSettings {
  private VisualizerSettings() {}

  public static final Setting MAX_JOBS = new Setting("CONVNET_VIZ_MAX_JOBS", "1",
      "activation-maximization jobs one visualizer runs at once");
  public static final Setting MAX_QUEUED = new Setting("CONVNET_VIZ_MAX_QUEUED", "8",
      "jobs waiting beyond those running; more get 503 BUSY");
  public static final Setting SYNC_THREADS = new Setting("CONVNET_VIZ_SYNC_THREADS", "2",
      "threads for synchronous visualizations (feature maps, saliency, Grad-CAM, explainers)");
  public static final Setting MAX_MODELS = new Setting("CONVNET_VIZ_MAX_MODELS", "3",
      "loaded model versions kept (least recently used closed first)");
  public static final Setting RESULT_CACHE = new Setting("CONVNET_VIZ_RESULT_CACHE", "64",
      "finished job results kept in memory (per model version, kind and parameters)");
  public static final Setting BATCH = new Setting("CONVNET_VIZ_BATCH", "1",
      "filter images per ascent pass (a CPU is fastest per image at 1, a GPU at 8 or more)");
  public static final Setting CACHE_DIR = new Setting("CONVNET_VIZ_CACHE_DIR", "./.cache/visualizer",
      "where natural maxima are cached: <dir>/<model>/<version>/natural-maxima.json");
  public static final Setting VALIDATION_DIR = new Setting("CONVNET_VIZ_VALIDATION_DIR", "",
      "images for natural maxima when the manifest's data set is not under CONVNET_DATA_ROOT");
  public static final Setting NATURAL_MAX_PER_CLASS = new Setting("CONVNET_VIZ_NATURAL_MAX_PER_CLASS", "0",
      "validation images per class for natural maxima (0 = all)");

  public static final List<Setting> ALL = List.of(MAX_JOBS, MAX_QUEUED, SYNC_THREADS, MAX_MODELS, RESULT_CACHE,
      BATCH, CACHE_DIR, VALIDATION_DIR, NATURAL_MAX_PER_CLASS);
}
