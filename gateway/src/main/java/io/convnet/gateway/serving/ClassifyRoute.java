package io.convnet.gateway.serving;

import io.convnet.gateway.http.RequestBody;
import io.convnet.proto.ClassScore;
import io.convnet.proto.Image;
import io.convnet.proto.ClassifyReply;
import io.convnet.proto.Prediction;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * Our own classify API, {@code POST /v1/models/{name}[/versions/{v}|/labels/{l}]/classify} (and, deprecated,
 * the colon form {@code :classify}, which TF Serving's classify shares: see {@code TfServingRoutes}):
 * one or more images in, for each the classes ranked by probability,
 * plus the model version that answered and where the time went.
 */
public final class ClassifyRoute {
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

  /**
   * Reads the body and answers (also TF Serving's {@code :classify} path for bodies that are not TF Serving's);
   * {@code version} may still be on its way (a label resolved): the body is read meanwhile, never left to flow away.
   */
  public void handle(RoutingContext ctx, String model, Future<Long> version) {
    long t0 = System.nanoTime();
    boolean image = RequestImages.isImageType(RequestBody.mediaType(ctx.request()));
    RequestBody.read(ctx.request(), image ? maxImageBytes : maxBodyBytes, maxImageBytes)
        .compose(body -> version.map(v -> {
          answer(ctx, model, v, body, t0);
          return v;
        }))
        .onFailure(e -> HttpAnswers.fail(ctx, e));
  }

  /** Answers for a body already read; {@code t0} when the request's head arrived. */
  public void answer(RoutingContext ctx, String model, long version, RequestBody body, long t0) {
    long uploaded = System.nanoTime();
    body.convert(ctx.vertx(), inputs::own)
        .recover(e -> workers.rejected(model, version, e))  // images it cannot read count as a failed request
        .compose(images -> workers.classify(model, version, ClassifyInput.images(images))
            .map(reply -> toJson(reply, images, t0, uploaded)))
        .onSuccess(json -> HttpAnswers.json(ctx, json))
        .onFailure(e -> HttpAnswers.fail(ctx, e));
  }

  /** The reply as JSON; {@code t0} when the request's head arrived, {@code uploaded} when its body had. */
  static JsonObject toJson(ClassifyReply reply, List<Image> images, long t0, long uploaded) {
    JsonArray predictions = new JsonArray();
    for (int i = 0; i < reply.getPredictionsCount(); i++) {
      Prediction p = reply.getPredictions(i);
      JsonArray classes = new JsonArray();
      for (ClassScore c : p.getRankedList()) {
        classes.add(new JsonObject().put("label", c.getLabel()).put("probability", HttpAnswers.number(c.getProbability())));
      }
      JsonObject prediction = new JsonObject()
          .put("label", p.getRanked(0).getLabel())
          .put("probability", HttpAnswers.number(p.getRanked(0).getProbability()))
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
