package io.convnet.gateway.serving;

import io.convnet.gateway.http.ModelPaths;
import io.convnet.gateway.http.RequestBody;
import io.convnet.proto.ClassScore;
import io.convnet.proto.ClassifyReply;
import io.convnet.proto.Prediction;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Our own classify API, {@code POST /v1/models/{name}[/versions/{v}]:classify} (and the slash
 * form {@code .../classify}): one or more images in, for each the classes ranked by probability,
 * plus the model version that answered and where the time went.
 */
final class ClassifyRoute {
  private final Workers workers;
  private final RequestImages inputs;
  private final long maxBodyBytes;
  private final long maxImageBytes;

  ClassifyRoute(Workers workers, RequestImages inputs, long maxBodyBytes, long maxImageBytes) {
    this.workers = workers;
    this.inputs = inputs;
    this.maxBodyBytes = maxBodyBytes;
    this.maxImageBytes = maxImageBytes;
  }

  void handle(RoutingContext ctx) {
    long t0 = System.nanoTime();
    String model = ModelPaths.name(ctx);
    Long version = Workers.versionOrFail(ctx);
    if (version == null) {
      return;
    }
    boolean image = RequestImages.isImageType(RequestBody.mediaType(ctx.request()));
    long[] uploaded = new long[1];
    RequestBody.read(ctx.request(), image ? maxImageBytes : maxBodyBytes, maxImageBytes)
        .compose(body -> {
          uploaded[0] = System.nanoTime();
          return body.convert(ctx.vertx(), inputs::own);
        })
        .compose(images -> workers.classify(model, version, images)
            .map(reply -> toJson(reply, images, t0, uploaded[0])))
        .onSuccess(json -> Workers.json(ctx, json))
        .onFailure(e -> Workers.fail(ctx, e));
  }

  /** The reply as JSON; {@code t0} when the request's head arrived, {@code uploaded} when its body had. */
  static JsonObject toJson(ClassifyReply reply, java.util.List<io.convnet.proto.Image> images, long t0, long uploaded) {
    JsonArray predictions = new JsonArray();
    for (int i = 0; i < reply.getPredictionsCount(); i++) {
      Prediction p = reply.getPredictions(i);
      JsonArray classes = new JsonArray();
      for (ClassScore c : p.getRankedList()) {
        classes.add(new JsonObject().put("label", c.getLabel()).put("probability", Workers.number(c.getProbability())));
      }
      JsonObject prediction = new JsonObject()
          .put("label", p.getRanked(0).getLabel())
          .put("probability", Workers.number(p.getRanked(0).getProbability()))
          .put("classes", classes);
      String name = i < images.size() ? images.get(i).getName() : "";
      if (!name.isEmpty()) {
        prediction.put("image", name);
      }
      predictions.add(prediction);
    }
    var t = reply.getTiming();
    return new JsonObject()
        .put("model", reply.getModel().getName())
        .put("version", reply.getModel().getVersion())
        .put("predictions", predictions)
        .put("worker", reply.getWorker())
        .put("timing", new JsonObject()
            .put("serverMs", round((System.nanoTime() - t0) / 1e6))
            .put("uploadMs", round((uploaded - t0) / 1e6))
            .put("decodeMs", round(t.getDecodeMicros() / 1e3))
            .put("queueMs", round(t.getQueueMicros() / 1e3))
            .put("computeMs", round(t.getComputeMicros() / 1e3))
            .put("batchSize", t.getBatchSize()));
  }

  private static double round(double ms) {
    return Math.round(ms * 100) / 100.0;
  }
}
