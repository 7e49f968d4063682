package io.convnet.gateway.serving;

import io.convnet.gateway.http.ModelPaths;
import io.convnet.kit.ServiceException;
import io.convnet.kit.http.Health;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.Image;
import io.convnet.proto.ModelInfo;
import io.convnet.proto.ModelVersionStatus;
import io.convnet.proto.Prediction;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * The Open Inference Protocol (KServe v2) over HTTP: server live/ready/metadata, model
 * metadata and ready, and {@code infer} with one BYTES input of base64-encoded JPEG/PNG images,
 * answering an FP32 {@code probabilities} output {@code [n, classes]} (label order as in the
 * model metadata) and a BYTES {@code label} output {@code [n]}. Booleans are status codes, as the
 * protocol says: 200 true, 400 false; 404 for an unknown model or version.
 */
final class OpenInferenceRoutes {
  static final String PLATFORM = "tensorflow_savedmodel";

  private final Health health;
  private final String serverVersion;
  private final Workers workers;
  private final RequestImages inputs;
  private final long maxBodyBytes;

  OpenInferenceRoutes(Health health, String serverVersion, Workers workers, RequestImages inputs, long maxBodyBytes) {
    this.health = health;
    this.serverVersion = serverVersion;
    this.workers = workers;
    this.inputs = inputs;
    this.maxBodyBytes = maxBodyBytes;
  }

  void serverMetadata(RoutingContext ctx) {
    Workers.json(ctx, new JsonObject().put("name", "convnet-cluster").put("version", serverVersion)
        .put("extensions", new JsonArray()));
  }

  void live(RoutingContext ctx) {
    Workers.json(ctx, new JsonObject().put("live", true));
  }

  /** Ready: this gateway is, and a worker answers that it serves at least one model. */
  void ready(RoutingContext ctx) {
    health.evaluate().compose(h -> "UP".equals(h.getString("status"))
            ? workers.probe("", 0).map(reply -> reply.getModelsList().stream().anyMatch(m -> m.getServedVersion() > 0)
                ? null : "no worker serves a model yet")
            : io.vertx.core.Future.succeededFuture("gateway not ready: " + h.getJsonObject("checks").encode()))
        .onComplete(ar -> {
          String reason = ar.succeeded() ? ar.result() : ar.cause().getMessage();
          boolean ready = reason == null;
          JsonObject body = new JsonObject().put("ready", ready);
          if (!ready) {
            body.put("reason", reason);
          }
          ctx.response().setStatusCode(ready ? 200 : 400);
          Workers.json(ctx, body);
        });
  }

  void modelMetadata(RoutingContext ctx) {
    String name = ModelPaths.name(ctx);
    Long version = Workers.versionOrFail(ctx);
    if (version == null) {
      return;
    }
    workers.models(name, version).onSuccess(reply -> {
      ModelInfo info = reply.getModels(0);
      JsonArray versions = new JsonArray();
      info.getVersionsList().forEach(s -> versions.add(Long.toString(s.getVersion())));
      Workers.json(ctx, new JsonObject()
          .put("name", info.getName())
          .put("versions", versions)
          .put("platform", PLATFORM)
          .put("inputs", new JsonArray().add(tensor("image", "BYTES", -1)))
          .put("outputs", new JsonArray()
              .add(tensor("probabilities", "FP32", -1, info.getLabelsCount()))
              .add(tensor("label", "BYTES", -1)))
          .put("parameters", new JsonObject()
              .put("labels", String.join(",", info.getLabelsList()))
              .put("served_version", Long.toString(info.getServedVersion()))));
    }).onFailure(e -> Workers.fail(ctx, e));
  }

  /** 200 when the model (version) answers requests now, 400 when it does not yet, 404 when unknown. */
  void modelReady(RoutingContext ctx) {
    String name = ModelPaths.name(ctx);
    Long version = Workers.versionOrFail(ctx);
    if (version == null) {
      return;
    }
    workers.probe(name, version).onComplete(ar -> {
      if (ar.failed() && ServiceException.of(ar.cause()).code() == ErrorCode.NOT_FOUND) {
        Workers.fail(ctx, ar.cause());
        return;
      }
      boolean ready = ar.succeeded() && ar.result().getModelsList().stream().anyMatch(m -> version == 0
          ? m.getServedVersion() > 0
          : m.getVersionsList().stream().anyMatch(s -> s.getVersion() == version && !s.getState().equals("FAILED")));
      JsonObject body = new JsonObject().put("name", name).put("ready", ready);
      if (ar.failed()) {
        body.put("reason", ar.cause().getMessage());
      }
      ctx.response().setStatusCode(ready ? 200 : 400);
      Workers.json(ctx, body);
    });
  }

  void infer(RoutingContext ctx) {
    String name = ModelPaths.name(ctx);
    Long version = Workers.versionOrFail(ctx);
    if (version == null) {
      return;
    }
    JsonBodies.read(ctx, maxBodyBytes, request -> new Inference(images(request), wantedOutputs(request),
        request.getValue("id") instanceof String id ? id : null)).compose(request -> {
      List<String> wanted = request.outputs();
      return workers.classify(name, version, request.images()).map(reply -> {
        int n = reply.getPredictionsCount();
        int classes = reply.getLabelsCount();
        JsonArray outputs = new JsonArray();
        if (wanted.contains("probabilities")) {
          JsonArray data = new JsonArray();
          for (Prediction p : reply.getPredictionsList()) {
            p.getProbabilitiesList().forEach(v -> data.add(Workers.number(v)));
          }
          outputs.add(new JsonObject().put("name", "probabilities").put("datatype", "FP32")
              .put("shape", new JsonArray().add(n).add(classes)).put("data", data));
        }
        if (wanted.contains("label")) {
          JsonArray data = new JsonArray();
          reply.getPredictionsList().forEach(p -> data.add(p.getRanked(0).getLabel()));
          outputs.add(new JsonObject().put("name", "label").put("datatype", "BYTES")
              .put("shape", new JsonArray().add(n)).put("data", data));
        }
        JsonObject response = new JsonObject().put("model_name", reply.getModel().getName())
            .put("model_version", Long.toString(reply.getModel().getVersion()));
        if (request.id() != null) {
          response.put("id", request.id());
        }
        return response.put("outputs", outputs);
      });
    }).onSuccess(json -> Workers.json(ctx, json)).onFailure(e -> Workers.fail(ctx, e));
  }

  /** An infer request: its images, the outputs it wants, its id (null without one). */
  private record Inference(List<Image> images, List<String> outputs, String id) {
  }

  private List<Image> images(JsonObject request) {
    if (!(request.getValue("inputs") instanceof JsonArray inputsArray) || inputsArray.size() != 1
        || !(inputsArray.getValue(0) instanceof JsonObject input)) {
      throw new ServiceException(ErrorCode.INVALID_ARGUMENT, "\"inputs\" must hold one tensor: "
          + "{\"name\": \"image\", \"shape\": [n], \"datatype\": \"BYTES\", \"data\": [\"<base64 JPEG or PNG>\", ...]}");
    }
    if (!"BYTES".equals(input.getValue("datatype"))) {
      throw new ServiceException(ErrorCode.INVALID_ARGUMENT, "input '" + input.getValue("name") + "' has datatype "
          + input.getValue("datatype") + "; this model takes BYTES (base64-encoded JPEG or PNG images)");
    }
    List<String> data = new ArrayList<>();
    flatten(input.getValue("data"), data);
    if (data.isEmpty()) {
      throw new ServiceException(ErrorCode.INVALID_ARGUMENT, "input '" + input.getValue("name") + "' has no data");
    }
    if (input.getValue("shape") instanceof JsonArray shape) {
      long elements = 1;
      for (Object d : shape) {
        elements *= d instanceof Number x ? x.longValue() : -1;
      }
      if (elements != data.size()) {
        throw new ServiceException(ErrorCode.INVALID_ARGUMENT, "input shape " + shape.encode() + " does not match its "
            + data.size() + " data elements");
      }
    } else {
      throw new ServiceException(ErrorCode.INVALID_ARGUMENT, "input '" + input.getValue("name") + "' needs a \"shape\"");
    }
    inputs.checkCount(data.size());
    List<Image> images = new ArrayList<>();
    for (int i = 0; i < data.size(); i++) {
      images.add(inputs.base64(data.get(i), "inputs[0].data[" + i + "]", ""));
    }
    return images;
  }

  private static void flatten(Object value, List<String> out) {
    if (value instanceof JsonArray a) {
      a.forEach(v -> flatten(v, out));
    } else if (value instanceof String s) {
      out.add(s);
    } else if (value != null) {
      throw new ServiceException(ErrorCode.INVALID_ARGUMENT, "BYTES data must be base64 strings, found " + value);
    }
  }

  private static List<String> wantedOutputs(JsonObject request) {
    if (!(request.getValue("outputs") instanceof JsonArray outputs) || outputs.isEmpty()) {
      return List.of("probabilities", "label");
    }
    List<String> names = new ArrayList<>();
    for (Object o : outputs) {
      String n = o instanceof JsonObject j && j.getValue("name") instanceof String s ? s : null;
      if (!"probabilities".equals(n) && !"label".equals(n)) {
        throw new ServiceException(ErrorCode.INVALID_ARGUMENT, "unknown output " + o + "; outputs: probabilities, label");
      }
      names.add(n);
    }
    return names;
  }

  private static JsonObject tensor(String name, String datatype, int... shape) {
    JsonArray s = new JsonArray();
    for (int d : shape) {
      s.add(d);
    }
    return new JsonObject().put("name", name).put("datatype", datatype).put("shape", s);
  }

  static boolean served(ModelVersionStatus s) {
    return s.getServed();
  }
}
