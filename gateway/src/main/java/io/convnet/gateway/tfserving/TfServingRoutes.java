package io.convnet.gateway.tfserving;

import static io.convnet.gateway.http.ModelPaths.V1_MODEL_SPEC;

import io.convnet.gateway.access.Access;
import io.convnet.gateway.http.ModelPaths;
import io.convnet.gateway.http.RequestBody;
import io.convnet.gateway.http.RouteGroup;
import io.convnet.gateway.serving.ClassifyRoute;
import io.convnet.gateway.serving.HttpAnswers;
import io.convnet.gateway.serving.JsonBodies;
import io.convnet.gateway.serving.ModelDetails;
import io.convnet.gateway.serving.ServingLimits;
import io.convnet.gateway.tfserving.TfServing.Target;
import io.convnet.proto.ModelInfo;
import io.convnet.proto.ModelVersionStatus;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.function.BiConsumer;
import tensorflow.serving.Classification.Class;
import tensorflow.serving.Classification.Classifications;

/**
 * TensorFlow Serving's REST API, as its {@code http_rest_api_handler} answers, for every path
 * {@code /v1/models/{name}[/versions/{v}|/labels/{l}]}:
 * <pre>
 * POST :predict    row ("instances") or columnar ("inputs"); encoded images {"b64": ...} (serving_bytes)
 *                  or float tensors [n, h, w, c] (serving_default); "signature_name"
 * POST :classify   {"examples": [{"image_bytes": {"b64": ...}}]} -> {"results": [[[label, score], ...]]};
 *                  any other body is our own classify API (deprecated at this path: use .../classify)
 * POST :regress    400: no bundle has a regression signature
 * GET  .../metadata  the served signatures' defs;  GET (the path itself)  version status (and our model details)
 * </pre>
 * Errors are {@code {"error": "<message>"}}; another method on a POST path is 405.
 */
final class TfServingRoutes implements RouteGroup {
  /** When the colon form of our own classify API was deprecated (RFC 9745 {@code Deprecation} value). */
  static final String CLASSIFY_DEPRECATED = "@1796515200";  // 2026-12-06

  private final TfServing tf;
  private final ModelDetails details;
  private final ClassifyRoute ownClassify;
  private final long maxBodyBytes;

  TfServingRoutes(TfServing tf, ModelDetails details, ClassifyRoute ownClassify, ServingLimits limits) {
    this.tf = tf;
    this.details = details;
    this.ownClassify = ownClassify;
    this.maxBodyBytes = limits.maxBodyBytes();
  }

  @Override
  public void mount(Router router, Access access) {
    String name = "/v1/models/{name}[/versions/{v}|/labels/{l}]";
    BiConsumer<RoutingContext, Throwable> spec = HttpAnswers::failAsSpec;
    access.read(router.postWithRegex(V1_MODEL_SPEC + ":predict"), spec).setName(name + ":predict")
        .handler(this::predict);
    // shared with our own (deprecated) classify API: its error shape until the body says whose request it is
    access.read(router.postWithRegex(V1_MODEL_SPEC + ":classify"), HttpAnswers::fail).setName(name + ":classify")
        .handler(this::classify);
    access.read(router.postWithRegex(V1_MODEL_SPEC + ":regress"), spec).setName(name + ":regress")
        .handler(ctx -> HttpAnswers.failAsSpec(ctx, TfServing.noRegression(ModelPaths.name(ctx))));
    access.read(router.routeWithRegex(V1_MODEL_SPEC + ":(?:predict|classify|regress)"), spec)
        .setName(name + ":{method}").handler(this::methodNotAllowed);
    access.read(router.getWithRegex(V1_MODEL_SPEC + "/metadata"), spec).setName(name + "/metadata")
        .handler(this::metadata);
    access.read(router.getWithRegex(V1_MODEL_SPEC), spec).setName(name).handler(this::status);
  }

  /** The model, version and label the path names; null once {@code fail} has answered a bad version. */
  private static Target target(RoutingContext ctx, BiConsumer<RoutingContext, Throwable> fail) {
    try {
      return new Target(ModelPaths.name(ctx), ModelPaths.version(ctx), ModelPaths.versionLabel(ctx));
    } catch (RuntimeException e) {
      fail.accept(ctx, e);
      return null;
    }
  }

  void predict(RoutingContext ctx) {
    Target target = target(ctx, HttpAnswers::failAsSpec);
    if (target == null) {
      return;
    }
    JsonBodies.read(ctx, maxBodyBytes, tf.inputs::predict)
        .recover(e -> tf.workers.rejected(target.model(), target.version(), e))  // a body it cannot read
        .compose(p -> tf.classify(target, p.input(), TfServing.NO_DEADLINE)
            .map(reply -> TfOutputs.json(p.signature(), p.format(), reply)))
        .onSuccess(json -> HttpAnswers.json(ctx, json))
        .onFailure(e -> HttpAnswers.failAsSpec(ctx, e));
  }

  /**
   * TF Serving's Classify for a JSON body with {@code "examples"}; for any other body our own classify
   * API, as this path served it before (marked deprecated: the same API is at {@code .../classify}).
   */
  void classify(RoutingContext ctx) {
    long t0 = System.nanoTime();
    // before the body says whose request it is: the older API's error shape
    Target target = target(ctx, HttpAnswers::fail);
    if (target == null) {
      return;
    }
    String type = RequestBody.mediaType(ctx.request());
    if (!type.isEmpty() && !JsonBodies.isJson(type)) {  // raw images, multipart: ours
      ownClassifyDeprecated(ctx, target, null, t0);
      return;
    }
    RequestBody.read(ctx.request(), maxBodyBytes, maxBodyBytes).onSuccess(body -> {
      JsonObject json = tfJson(body.raw());
      if (json == null) {
        ownClassifyDeprecated(ctx, target, body, t0);
        return;
      }
      try {
        TfServing.classifySignature(json.getValue("signature_name") instanceof String s ? s : "");
      } catch (RuntimeException e) {
        HttpAnswers.failAsSpec(ctx, e);
        return;
      }
      tf.classify(target, () -> tf.inputs.examples(TfInputs.examples(json, "examples"),
              json.containsKey("context") ? TfInputs.example(json.getValue("context"), "context") : null),
              TfServing.NO_DEADLINE)
          .map(reply -> results(TfServing.classifications(reply).getClassificationsList()))
          .onSuccess(results -> HttpAnswers.json(ctx, results))
          .onFailure(e -> HttpAnswers.failAsSpec(ctx, e));
    }).onFailure(e -> HttpAnswers.fail(ctx, e));  // unread, so whose it is is unknown: the older API's error shape
  }

  /** A TF Serving classify body ({"examples": ...}), or null. */
  private static JsonObject tfJson(Buffer raw) {
    String start = raw.length() > 64 ? raw.getString(0, 64) : raw.toString();
    if (!start.stripLeading().startsWith("{")) {
      return null;
    }
    try {
      JsonObject json = new JsonObject(raw);
      return json.containsKey("examples") ? json : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  private void ownClassifyDeprecated(RoutingContext ctx, Target target, RequestBody body, long t0) {
    ctx.response().putHeader("deprecation", CLASSIFY_DEPRECATED)
        .putHeader("link", "</v1/models/" + target.model() + "/classify>; rel=\"successor-version\"");
    if (body == null) {
      ownClassify.handle(ctx, target.model(), tf.version(target));
      return;
    }
    tf.version(target).onSuccess(version -> ownClassify.answer(ctx, target.model(), version, body, t0))
        .onFailure(e -> HttpAnswers.fail(ctx, e));
  }

  private static JsonObject results(java.util.List<Classifications> classifications) {
    JsonArray results = new JsonArray();
    for (Classifications c : classifications) {
      JsonArray pairs = new JsonArray();
      for (Class cl : c.getClassesList()) {
        pairs.add(new JsonArray().add(cl.getLabel()).add(HttpAnswers.number(cl.getScore())));
      }
      results.add(pairs);
    }
    return new JsonObject().put("results", results);
  }

  private void methodNotAllowed(RoutingContext ctx) {
    if (ctx.request().method() == HttpMethod.POST) {
      ctx.next();
      return;
    }
    ctx.response().setStatusCode(405).putHeader("allow", "POST").putHeader("content-type", "application/json")
        .end(new JsonObject().put("error", "Malformed request: " + ctx.request().method() + " "
            + ctx.request().path() + " (only POST is allowed here)").encode());
  }

  /** {@code {"model_spec": {...}, "metadata": {"signature_def": {"signature_def": {...}}}}}. */
  void metadata(RoutingContext ctx) {
    Target target = target(ctx, HttpAnswers::failAsSpec);
    if (target == null) {
      return;
    }
    tf.version(target)
        .compose(v -> tf.workers.models(target.model(), v).map(reply -> TfServing.metadata(reply.getModels(0), v)))
        .map(TfServing::metadataJson)
        .onSuccess(json -> HttpAnswers.json(ctx, json))
        .onFailure(e -> HttpAnswers.failAsSpec(ctx, e));
  }

  /**
   * {@code {"model_version_status": [{"version": "3", "state": "AVAILABLE", "status": {"error_code": "OK", ...}}]}},
   * TF Serving's answer, and beside it the model as our API describes it ({@link ModelDetails}: versions with
   * their metrics, labels and traffic, the canary's figures).
   */
  void status(RoutingContext ctx) {
    Target target = target(ctx, HttpAnswers::failAsSpec);
    if (target == null) {
      return;
    }
    tf.version(target).compose(v -> details.one(target.model(), v)).onSuccess(described -> {
      JsonArray statuses = new JsonArray();
      for (ModelInfo info : described.reply().getModelsList()) {
        for (ModelVersionStatus s : info.getVersionsList()) {
          boolean failed = s.getState().equals("FAILED");
          statuses.add(new JsonObject()
              .put("version", Long.toString(s.getVersion()))
              .put("state", failed ? "END" : s.getState())
              .put("status", new JsonObject().put("error_code", failed ? "UNKNOWN" : "OK")
                  .put("error_message", s.getError())));
        }
      }
      HttpAnswers.json(ctx, new JsonObject().put("model_version_status", statuses).mergeIn(described.json()));
    }).onFailure(e -> HttpAnswers.failAsSpec(ctx, e));
  }
}
