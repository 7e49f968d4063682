package io.convnet.gateway.serving;

import io.convnet.gateway.http.ModelPaths;
import io.convnet.limits.LifecycleLimits;
import io.convnet.proto.ModelInfo;
import io.convnet.proto.ModelTraffic;
import io.convnet.proto.ModelTrafficReply;
import io.convnet.proto.ModelVersionStatus;
import io.convnet.proto.ModelsReply;
import io.convnet.proto.ModelsRequest;
import io.convnet.proto.PromotionPolicy;
import io.convnet.proto.VersionTraffic;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The models as the API shows them. {@code GET /v1/models}: every model, its versions (state, metrics,
 * labels), which one is served, its version labels, policy and input. One model ({@link #one}, what TF
 * Serving's {@code GET /v1/models/{name}[/versions/{v}|/labels/{l}]} adds to its version status): the same,
 * plus what every worker served per version (requests, errors, latency, canary share and agreement with
 * stable), added up over the workers that answer within the traffic window. {@code GET .../learning-curves.png}
 * and {@code .../history}: a version's training curves and history, read from the store by a worker.
 */
public final class ModelDetails {
  /** A model as a worker described it, and as the API shows it. */
  public record Described(ModelsReply reply, JsonObject json) {
  }

  private final Workers workers;
  private final Duration trafficWindow;

  /** @param trafficWindow how long {@link #one} gathers the workers' figures */
  public ModelDetails(Workers workers, Duration trafficWindow) {
    this.workers = workers;
    this.trafficWindow = trafficWindow;
  }

  /** {@code GET /v1/models}. */
  void list(RoutingContext ctx) {
    workers.models("", 0).onSuccess(reply -> HttpAnswers.json(ctx, toJson(reply))).onFailure(e -> HttpAnswers.fail(ctx, e));
  }

  /** {@code model}, only {@code version} of it unless 0, with the workers' figures. */
  public Future<Described> one(String model, long version) {
    Future<List<ModelTrafficReply>> traffic = workers.traffic(model, trafficWindow)
        .otherwise(e -> List.of());  // figures are extras: the model's state answers without them
    return workers.models(model, version).compose(reply -> traffic.map(t -> new Described(reply, one(reply, t))));
  }

  /** A file of {@code version} (resolved from the path), {@code learning-curves.png} (PNG) or {@code history.json}. */
  void file(RoutingContext ctx, Future<Long> version, String file, String contentType) {
    version.compose(v -> workers.models(ModelsRequest.newBuilder().setName(ModelPaths.name(ctx))
            .setVersion(v).setFile(file).build()))
        .onSuccess(reply -> ctx.response().putHeader("content-type", contentType)
            .putHeader("cache-control", "max-age=3600")  // a version's files never change
            .end(Buffer.buffer(reply.getFile().toByteArray())))
        .onFailure(e -> HttpAnswers.fail(ctx, e));
  }

  static JsonObject toJson(ModelsReply reply) {
    JsonArray models = new JsonArray();
    for (ModelInfo m : reply.getModelsList()) {
      models.add(model(m, Map.of()));
    }
    return new JsonObject().put("models", models).put("worker", reply.getWorker());
  }

  private static JsonObject one(ModelsReply reply, List<ModelTrafficReply> traffic) {
    ModelInfo info = reply.getModels(0);
    Map<Long, VersionTraffic> summed = sum(info.getName(), traffic);
    JsonObject body = model(info, summed)
        .put("trafficFrom", new JsonArray(traffic.stream().map(ModelTrafficReply::getWorker).sorted().toList()))
        .put("worker", reply.getWorker());
    long canary = info.getVersionLabelsOrDefault(LifecycleLimits.CANARY, 0);
    if (canary != 0) {
      long stable = info.getVersionLabelsOrDefault(LifecycleLimits.STABLE, 0);
      VersionTraffic c = summed.getOrDefault(canary, VersionTraffic.getDefaultInstance());
      VersionTraffic s = summed.getOrDefault(stable, VersionTraffic.getDefaultInstance());
      long routed = c.getRouted() + s.getRouted();
      body.put("canary", new JsonObject().put("version", canary).put("stable", stable)
          .put("share", info.getPolicy().getCanaryShare())
          .put("observedShare", routed == 0 ? null : round((double) c.getRouted() / routed))
          .put("requests", c.getRequests()).put("errors", c.getErrors())
          .put("comparisons", c.getComparisons())
          .put("agreement", c.getComparisons() == 0 ? null : round((double) c.getAgreements() / c.getComparisons())));
    }
    return body;
  }

  /** Each version's figures added up over the workers that answered. */
  private static Map<Long, VersionTraffic> sum(String model, List<ModelTrafficReply> replies) {
    Map<Long, VersionTraffic> sums = new TreeMap<>();
    for (ModelTrafficReply reply : replies) {
      for (ModelTraffic m : reply.getModelsList()) {
        if (!m.getName().equals(model)) {
          continue;
        }
        for (VersionTraffic v : m.getVersionsList()) {
          VersionTraffic s = sums.getOrDefault(v.getVersion(), VersionTraffic.newBuilder().setVersion(v.getVersion()).build());
          sums.put(v.getVersion(), s.toBuilder().setRequests(s.getRequests() + v.getRequests())
              .setErrors(s.getErrors() + v.getErrors())
              .setLatencySecondsSum(s.getLatencySecondsSum() + v.getLatencySecondsSum())
              .setLatencyCount(s.getLatencyCount() + v.getLatencyCount())
              .setComparisons(s.getComparisons() + v.getComparisons())
              .setAgreements(s.getAgreements() + v.getAgreements()).setRouted(s.getRouted() + v.getRouted()).build());
        }
      }
    }
    return sums;
  }

  private static JsonObject model(ModelInfo m, Map<Long, VersionTraffic> traffic) {
    JsonArray versions = new JsonArray();
    for (ModelVersionStatus s : m.getVersionsList()) {
      JsonObject v = new JsonObject().put("version", s.getVersion()).put("state", s.getState())
          .put("served", s.getServed()).put("versionLabels", new JsonArray(s.getVersionLabelsList()));
      if (!s.getCreatedAt().isEmpty()) {
        v.put("createdAt", s.getCreatedAt());
      }
      if (!s.getError().isEmpty()) {
        v.put("error", s.getError());
      }
      if (s.getMetricsCount() > 0) {
        v.put("metrics", new JsonObject(new TreeMap<String, Object>(s.getMetricsMap())));
      }
      VersionTraffic t = traffic.get(s.getVersion());
      if (t != null) {
        v.put("traffic", traffic(t));
      }
      versions.add(v);
    }
    JsonObject model = new JsonObject()
        .put("name", m.getName())
        .put("servedVersion", m.getServedVersion() == 0 ? null : m.getServedVersion())
        .put("labels", new JsonArray(m.getLabelsList()))
        .put("versionLabels", new JsonObject(new TreeMap<String, Object>(m.getVersionLabelsMap())))
        .put("policy", m.hasPolicy() ? policy(m.getPolicy()) : null)
        .put("labelsRevision", m.getLabelsRevision())
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
    return model;
  }

  static JsonObject policy(PromotionPolicy p) {
    return new JsonObject().put("mode", p.getMode()).put("tolerance", p.getTolerance()).put("floor", p.getFloor())
        .put("canaryShare", p.getCanaryShare()).put("shadowShare", p.getShadowShare());
  }

  private static JsonObject traffic(VersionTraffic t) {
    return new JsonObject().put("requests", t.getRequests()).put("errors", t.getErrors())
        .put("meanLatencyMs", t.getLatencyCount() == 0 ? null : round(t.getLatencySecondsSum() * 1000 / t.getLatencyCount()))
        .put("routed", t.getRouted()).put("comparisons", t.getComparisons()).put("agreements", t.getAgreements())
        .put("agreement", t.getComparisons() == 0 ? null : round((double) t.getAgreements() / t.getComparisons()));
  }

  private static double round(double x) {
    return Math.round(x * 10000) / 10000.0;
  }
}
