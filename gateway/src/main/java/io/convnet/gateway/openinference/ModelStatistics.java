package io.convnet.gateway.openinference;

import io.convnet.gateway.serving.InferStats;
import io.convnet.proto.ModelInfo;
import io.convnet.proto.ModelVersionStatus;
import io.convnet.proto.ModelsReply;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/** Triton's statistics extension's answer, {@code {"model_stats": [{"name", "version", "inference_stats", ...}]}}. */
final class ModelStatistics {
  private ModelStatistics() {
  }

  /** One entry per version the workers report (zeros where this gateway has served none). */
  static JsonObject json(ModelsReply models, InferStats stats) {
    JsonArray entries = new JsonArray();
    for (ModelInfo m : models.getModelsList()) {
      for (ModelVersionStatus s : m.getVersionsList()) {
        InferStats.Version v = stats.of(m.getName(), s.getVersion(), s.getVersion() == m.getServedVersion());
        JsonArray batches = new JsonArray();
        for (Map.Entry<Integer, InferStats.Batch> b : v.batches().entrySet()) {
          batches.add(new JsonObject().put("batch_size", b.getKey())
              .put("compute_input", duration(b.getValue().computeInput()))
              .put("compute_infer", duration(b.getValue().computeInfer()))
              .put("compute_output", duration(b.getValue().computeOutput())));
        }
        entries.add(new JsonObject()
            .put("name", m.getName())
            .put("version", Long.toString(s.getVersion()))
            .put("last_inference", v.lastInferenceMs())
            .put("inference_count", v.inferenceCount())
            .put("execution_count", v.executionCount())
            .put("inference_stats", new JsonObject()
                .put("success", duration(v.success()))
                .put("fail", duration(v.fail()))
                .put("queue", duration(v.queue()))
                .put("compute_input", duration(v.computeInput()))
                .put("compute_infer", duration(v.computeInfer()))
                .put("compute_output", duration(v.computeOutput()))
                .put("cache_hit", duration(new InferStats.Duration(0, 0)))
                .put("cache_miss", duration(new InferStats.Duration(0, 0))))
            .put("batch_stats", batches));
      }
    }
    return new JsonObject().put("model_stats", entries);
  }

  private static JsonObject duration(InferStats.Duration d) {
    return new JsonObject().put("count", d.count()).put("ns", d.ns());
  }
}
