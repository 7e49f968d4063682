package io.convnet.gateway.openinference;

import static io.convnet.gateway.http.ModelPaths.V2_MODEL;

import io.convnet.gateway.access.Access;
import io.convnet.gateway.http.ModelPaths;
import io.convnet.gateway.http.RouteGroup;
import io.convnet.gateway.openinference.V2Tensors.Output;
import io.convnet.gateway.serving.HttpAnswers;
import io.convnet.gateway.serving.JsonBodies;
import io.convnet.gateway.serving.RequestImages;
import io.convnet.gateway.serving.ServingLimits;
import io.convnet.kit.ServiceException;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.ModelInfo;
import io.convnet.proto.ModelVersionStatus;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The Open Inference Protocol (KServe v2) over HTTP/REST, with Triton's binary tensor data,
 * classification, statistics and model repository (index) extensions:
 * <pre>
 * GET  /v2, /v2/health/live, /v2/health/ready
 * GET  /v2/models/{name}[/versions/{v}][/ready]
 * POST /v2/models/{name}[/versions/{v}]/infer         JSON, or JSON + binary tensors
 * GET  /v2/models[/{name}[/versions/{v}]]/stats
 * POST /v2/repository/index
 * </pre>
 * Booleans are status codes, as the protocol says: 200 true, 400 false; 404 for an unknown model
 * or version. Errors are {@code {"error": "<message>"}}.
 */
final class OpenInferenceRoutes implements RouteGroup {
  private final OpenInference v2;
  private final long maxBodyBytes;

  OpenInferenceRoutes(OpenInference v2, ServingLimits limits) {
    this.v2 = v2;
    this.maxBodyBytes = limits.maxBodyBytes();
  }

  @Override
  public void mount(Router router, Access access) {
    BiConsumer<RoutingContext, Throwable> spec = HttpAnswers::failAsSpec;
    access.read(router.get("/v2"), spec).handler(this::serverMetadata);
    // Probes, as /health/live and /health/ready: open even when reading needs a token.
    access.open(router.get("/v2/health/live")).handler(ctx -> HttpAnswers.json(ctx, new JsonObject().put("live", true)));
    access.open(router.get("/v2/health/ready")).handler(this::ready);
    access.read(router.get("/v2/models/stats"), spec).handler(this::stats);
    access.read(router.post("/v2/repository/index"), spec).handler(this::repositoryIndex);
    // refused whoever asks: nothing changes
    access.read(router.postWithRegex("/v2/repository/models/" + ModelPaths.NAME + "/(?:load|unload)"), spec)
        .setName("/v2/repository/models/{name}/{action}")
        .handler(ctx -> HttpAnswers.failAsSpec(ctx, new ServiceException(ErrorCode.INVALID_ARGUMENT,
            "models are not loaded or unloaded by request: every worker loads the model store's versions itself "
                + "(a new version on the models topic, the others on their first request)")));
    access.read(router.getWithRegex(V2_MODEL), spec).setName("/v2/models/{name}[/versions/{v}]")
        .handler(this::modelMetadata);
    access.read(router.getWithRegex(V2_MODEL + "/ready"), spec).setName("/v2/models/{name}[/versions/{v}]/ready")
        .handler(this::modelReady);
    access.read(router.getWithRegex(V2_MODEL + "/stats"), spec).setName("/v2/models/{name}[/versions/{v}]/stats")
        .handler(this::stats);
    access.read(router.postWithRegex(V2_MODEL + "/infer"), spec).setName("/v2/models/{name}[/versions/{v}]/infer")
        .handler(this::infer);
    access.read(router.routeWithRegex(V2_MODEL + "/infer"), spec)
        .setName("/v2/models/{name}[/versions/{v}]/infer (other methods)").handler(this::methodNotAllowed);
  }

  private void serverMetadata(RoutingContext ctx) {
    HttpAnswers.json(ctx, new JsonObject().put("name", OpenInference.SERVER_NAME).put("version", v2.serverVersion)
        .put("extensions", new JsonArray(OpenInference.EXTENSIONS)));
  }

  private void ready(RoutingContext ctx) {
    v2.notReadyReason().onComplete(ar -> answerReady(ctx, new JsonObject(), ar.result()));
  }

  private static void answerReady(RoutingContext ctx, JsonObject body, String reason) {
    body.put("ready", reason == null);
    if (reason != null) {
      body.put("reason", reason);
    }
    ctx.response().setStatusCode(reason == null ? 200 : 400);
    HttpAnswers.json(ctx, body);
  }

  private static Long version(RoutingContext ctx) {
    try {
      return ModelPaths.version(ctx);
    } catch (RuntimeException e) {
      HttpAnswers.failAsSpec(ctx, e);
      return null;
    }
  }

  private void modelReady(RoutingContext ctx) {
    String name = ModelPaths.name(ctx);
    Long version = version(ctx);
    if (version != null) {
      v2.modelNotReadyReason(name, version)
          .onSuccess(reason -> answerReady(ctx, new JsonObject().put("name", name), reason))
          .onFailure(e -> HttpAnswers.failAsSpec(ctx, e));
    }
  }

  private void modelMetadata(RoutingContext ctx) {
    String name = ModelPaths.name(ctx);
    Long version = version(ctx);
    if (version != null) {
      v2.model(name, version, OpenInference.NO_DEADLINE)
          .onSuccess(info -> HttpAnswers.json(ctx, metadata(info)))
          .onFailure(e -> HttpAnswers.failAsSpec(ctx, e));
    }
  }

  static JsonObject metadata(ModelInfo info) {
    JsonArray versions = new JsonArray();
    info.getVersionsList().forEach(s -> versions.add(Long.toString(s.getVersion())));
    return new JsonObject()
        .put("name", info.getName())
        .put("versions", versions)
        .put("platform", OpenInference.PLATFORM)
        .put("inputs", tensors(V2Tensors.inputsOf(info)))
        .put("outputs", tensors(V2Tensors.outputsOf(info)))
        .put("parameters", new JsonObject()
            .put("labels", String.join(",", info.getLabelsList()))
            .put("served_version", Long.toString(info.getServedVersion())));
  }

  private static JsonArray tensors(List<Output> tensors) {
    JsonArray out = new JsonArray();
    tensors.forEach(t -> out.add(new JsonObject().put("name", t.name()).put("datatype", t.datatype())
        .put("shape", new JsonArray(java.util.Arrays.stream(t.shape()).boxed().toList()))));
    return out;
  }

  private void infer(RoutingContext ctx) {
    String name = ModelPaths.name(ctx);
    Long version = version(ctx);
    if (version == null) {
      return;
    }
    String length = ctx.request().getHeader(V2Json.HEADER_LENGTH);
    long headerLength;
    try {
      headerLength = length == null ? -1 : Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      HttpAnswers.failAsSpec(ctx, V2Tensors.invalid("Inference-Header-Content-Length '" + length + "' is not a number"));
      return;
    }
    JsonBodies.raw(ctx, maxBodyBytes, headerLength >= 0, body -> V2Json.request(body, headerLength))
        .compose(request -> v2.infer(name, version, request.inputs(), request.outputs(), request.binaryOutput(),
                request.timeout())
            .map(result -> V2Json.response(result.reply().getModel().getName(), result.reply().getModel().getVersion(),
                request.id(), result.outputs())))
        .onSuccess(response -> send(ctx, response))
        .onFailure(e -> HttpAnswers.failAsSpec(ctx, e));
  }

  private static void send(RoutingContext ctx, V2Json.Response response) {
    if (response.binary().length() == 0) {
      HttpAnswers.json(ctx, response.json());
      return;
    }
    Buffer json = response.json().toBuffer();
    ctx.response().putHeader("content-type", "application/octet-stream")
        .putHeader(V2Json.HEADER_LENGTH, Integer.toString(json.length()))
        .end(Buffer.buffer(json.length() + response.binary().length()).appendBuffer(json).appendBuffer(response.binary()));
  }

  private void methodNotAllowed(RoutingContext ctx) {
    if (ctx.request().method() == HttpMethod.POST) {
      ctx.next();
      return;
    }
    ctx.response().setStatusCode(405).putHeader("allow", "POST").putHeader("content-type", "application/json")
        .end(new JsonObject().put("error", ctx.request().method() + " is not allowed on " + ctx.request().path()
            + "; POST the inference request").encode());
  }

  /** Triton's statistics extension: {@code {"model_stats": [...]}} for every version of the model(s). */
  private void stats(RoutingContext ctx) {
    String name = ctx.pathParam("name") == null ? "" : ModelPaths.name(ctx);
    Long version = name.isEmpty() ? Long.valueOf(0) : version(ctx);
    if (version != null) {
      v2.workers.models(name, version)
          .onSuccess(reply -> HttpAnswers.json(ctx, ModelStatistics.json(reply, v2.workers.stats())))
          .onFailure(e -> HttpAnswers.failAsSpec(ctx, e));
    }
  }

  /** Triton's model repository extension, index: {@code [{"name", "version", "state", "reason"}]}. */
  private void repositoryIndex(RoutingContext ctx) {
    JsonBodies.raw(ctx, 64 * 1024, false, body -> body.length() == 0 ? new JsonObject() : RequestImages.json(body))
        .compose(request -> v2.workers.models("", 0).map(reply -> {
          boolean readyOnly = Boolean.TRUE.equals(request.getValue("ready"));
          JsonArray index = new JsonArray();
          for (ModelInfo m : reply.getModelsList()) {
            for (ModelVersionStatus s : m.getVersionsList()) {
              String state = switch (s.getState()) {
                case "AVAILABLE" -> "READY";
                case "LOADING" -> "LOADING";
                default -> "UNAVAILABLE";
              };
              if (readyOnly && !state.equals("READY")) {
                continue;
              }
              JsonObject entry = new JsonObject().put("name", m.getName()).put("version", Long.toString(s.getVersion()))
                  .put("state", state);
              String reason = s.getState().equals("FAILED") ? s.getError()
                  : s.getState().equals("END") ? "not loaded; loads on its first request" : "";
              index.add(reason.isEmpty() ? entry : entry.put("reason", reason));
            }
          }
          return index;
        }))
        .onSuccess(index -> ctx.response().putHeader("content-type", "application/json").end(index.encode()))
        .onFailure(e -> HttpAnswers.failAsSpec(ctx, e instanceof io.vertx.core.json.DecodeException
            ? V2Tensors.invalid("the body is not JSON: " + e.getMessage()) : e));
  }
}
