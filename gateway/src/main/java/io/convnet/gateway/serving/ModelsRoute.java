package io.convnet.gateway.serving;

import io.convnet.proto.ModelInfo;
import io.convnet.proto.ModelVersionStatus;
import io.convnet.proto.ModelsReply;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.TreeMap;

/** {@code GET /v1/models}: every model, its versions (and their state), which one is served, labels and input. */
final class ModelsRoute {
  private final Workers workers;

  ModelsRoute(Workers workers) {
    this.workers = workers;
  }

  void handle(RoutingContext ctx) {
    workers.models("", 0).onSuccess(reply -> HttpAnswers.json(ctx, toJson(reply))).onFailure(e -> HttpAnswers.fail(ctx, e));
  }

  static JsonObject toJson(ModelsReply reply) {
    JsonArray models = new JsonArray();
    for (ModelInfo m : reply.getModelsList()) {
      JsonArray versions = new JsonArray();
      for (ModelVersionStatus s : m.getVersionsList()) {
        JsonObject v = new JsonObject().put("version", s.getVersion()).put("state", s.getState())
            .put("served", s.getServed());
        if (!s.getCreatedAt().isEmpty()) {
          v.put("createdAt", s.getCreatedAt());
        }
        if (!s.getError().isEmpty()) {
          v.put("error", s.getError());
        }
        if (s.getMetricsCount() > 0) {
          v.put("metrics", new JsonObject(new TreeMap<String, Object>(s.getMetricsMap())));
        }
        versions.add(v);
      }
      JsonObject model = new JsonObject()
          .put("name", m.getName())
          .put("servedVersion", m.getServedVersion() == 0 ? null : m.getServedVersion())
          .put("labels", new JsonArray(m.getLabelsList()))
          .put("architecture", m.getArchitecture())
          .put("input", new JsonObject().put("height", m.getInputHeight()).put("width", m.getInputWidth())
              .put("channels", m.getInputChannels()))
          .put("preprocessing", m.getPreprocessing())
          .put("output", m.getOutputActivation())
          .put("convLayers", new JsonArray(m.getConvLayersList()))
          .put("versions", versions);
      if (!m.getTraining().isEmpty()) {
        model.put("training", m.getTraining());
      }
      models.add(model);
    }
    return new JsonObject().put("models", models).put("worker", reply.getWorker());
  }
}
