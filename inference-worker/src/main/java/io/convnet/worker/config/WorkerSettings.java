package io.convnet.worker.config;

import io.convnet.kit.config.Setting;
import java.util.List;

/** The inference worker's own settings (the kit's are in {@link io.convnet.kit.config.Settings}); docs/configuration.md lists each. */
public final class WorkerSettings {
  private WorkerSettings() {
  }

  public static final Setting MAX_BATCH = new Setting("CONVNET_MAX_BATCH",
      "32", "most images one TensorFlow call takes (dynamic batching)");
  public static final Setting MAX_BATCH_WAIT_MS = new Setting("CONVNET_MAX_BATCH_WAIT_MS",
      "5", "longest a TensorFlow call waits for images already being decoded to join it (a lone request never waits)");
  public static final Setting DECODE_THREADS = new Setting("CONVNET_DECODE_THREADS",
      "number of cores", "threads decoding and preprocessing images before they are batched");
  public static final Setting MAX_IMAGE_PIXELS = new Setting("CONVNET_MAX_IMAGE_PIXELS",
      "24000000", "largest image (width x height) a worker decodes; larger ones are refused (413 / dead letter)");
  public static final Setting MODEL_POLL_MS = new Setting("CONVNET_MODEL_POLL_MS",
      "5000", "how often the model store is scanned for new versions besides convnet.models events (0: never)");
  public static final Setting MODEL_CACHE_VERSIONS = new Setting("CONVNET_MODEL_CACHE_VERSIONS",
      "2", "older versions asked for explicitly (/versions/{v}) kept loaded, least recently used first out");
  public static final Setting MODEL_UNLOAD_TRIM = new Setting("CONVNET_MODEL_UNLOAD_TRIM",
      "true", "after model versions are unloaded, give the native memory they freed back to the system (malloc_trim); false: malloc keeps it");
  public static final Setting DEFAULT_MODEL = new Setting("CONVNET_DEFAULT_MODEL",
      "cats-vs-dogs", "model of score records that name none");
  public static final Setting SCORE_ENABLED = new Setting("CONVNET_SCORE_ENABLED",
      "true", "consume convnet.score.requests (batch scoring) in this worker");
  public static final Setting SCORE_MAX_RECORDS = new Setting("CONVNET_SCORE_MAX_RECORDS",
      "256", "score records taken per poll, i.e. per Kafka transaction");
  public static final Setting SCORE_TRANSACTION_TIMEOUT_MS = new Setting("CONVNET_SCORE_TRANSACTION_TIMEOUT_MS",
      "10000", "transaction.timeout.ms of the scoring producer: how long a killed worker's open transaction can hold up read_committed readers");
  public static final Setting SCORE_SESSION_TIMEOUT_MS = new Setting("CONVNET_SCORE_SESSION_TIMEOUT_MS",
      "10000", "session.timeout.ms of the scoring consumer: how soon a killed worker's partitions move (broker minimum 6000)");

  public static final List<Setting> ALL = List.of(MAX_BATCH, MAX_BATCH_WAIT_MS, DECODE_THREADS, MAX_IMAGE_PIXELS,
      MODEL_POLL_MS, MODEL_CACHE_VERSIONS, MODEL_UNLOAD_TRIM, DEFAULT_MODEL, SCORE_ENABLED, SCORE_MAX_RECORDS,
      SCORE_TRANSACTION_TIMEOUT_MS, SCORE_SESSION_TIMEOUT_MS);
}
