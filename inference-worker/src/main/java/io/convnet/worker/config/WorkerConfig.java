package io.convnet.worker.config;

import io.convnet.kit.config.KitConfig;
import io.convnet.kit.config.Setting;
import io.convnet.kit.config.Settings;
import java.nio.file.Path;
import java.time.Duration;

/** The worker's settings, parsed once at start (a bad value stops the start with the setting's name). */
public record WorkerConfig(
    String instanceId,
    Path modelStore,
    Path dataRoot,
    Path uploadDir,
    int maxBatch,
    Duration maxBatchWait,
    int decodeThreads,
    int maxImagesPerRequest,
    long maxImageBytes,
    long maxImagePixels,
    Duration modelPoll,
    int cachedVersions,
    boolean unloadTrim,
    String defaultModel,
    boolean scoreEnabled,
    int scoreMaxRecords,
    int scoreTransactionTimeoutMs,
    int scoreSessionTimeoutMs) {

  public static WorkerConfig of(KitConfig kit) {
    int cores = Runtime.getRuntime().availableProcessors();
    String decode = kit.get(WorkerSettings.DECODE_THREADS);
    return new WorkerConfig(
        kit.instanceId(),
        kit.modelStore(),
        kit.dataRoot(),
        kit.uploadDir(),
        atLeast(kit, WorkerSettings.MAX_BATCH, 1),
        Duration.ofMillis(atLeast(kit, WorkerSettings.MAX_BATCH_WAIT_MS, 0)),
        decode.equals(WorkerSettings.DECODE_THREADS.defaultValue()) ? cores : atLeast(kit, WorkerSettings.DECODE_THREADS, 1),
        atLeast(kit, Settings.MAX_IMAGES_PER_REQUEST, 1),
        atLeast(kit, Settings.MAX_IMAGE_BYTES, 1),
        atLeast(kit, WorkerSettings.MAX_IMAGE_PIXELS, 1),
        Duration.ofMillis(atLeast(kit, WorkerSettings.MODEL_POLL_MS, 0)),
        atLeast(kit, WorkerSettings.MODEL_CACHE_VERSIONS, 0),
        Boolean.parseBoolean(kit.get(WorkerSettings.MODEL_UNLOAD_TRIM)),
        kit.get(WorkerSettings.DEFAULT_MODEL),
        Boolean.parseBoolean(kit.get(WorkerSettings.SCORE_ENABLED)),
        atLeast(kit, WorkerSettings.SCORE_MAX_RECORDS, 1),
        atLeast(kit, WorkerSettings.SCORE_TRANSACTION_TIMEOUT_MS, 1000),
        atLeast(kit, WorkerSettings.SCORE_SESSION_TIMEOUT_MS, 1000));
  }

  private static int atLeast(KitConfig kit, Setting setting, int min) {
    int v = kit.getInt(setting);
    if (v < min) {
      throw new IllegalArgumentException(setting.name() + " must be at least " + min + ", not " + v);
    }
    return v;
  }
}
