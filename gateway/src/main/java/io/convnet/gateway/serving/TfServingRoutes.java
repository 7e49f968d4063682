package io.convnet.gateway.serving;

import io.convnet.gateway.http.ModelPaths;
import io.convnet.kit.ServiceException;
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
import java.util.Map;

/**
 * TensorFlow Serving's REST API for image models taking encoded images:
 * {@code POST /v1/models/{name}[/versions/{v}]:predict} with {@code {"instances": [{"b64": ...}]}}
 * (row format; also {@code {"instances": [{"image": {"b64": ...}}]}}) or {@code {"inputs": ...}}
 * (columnar), answering {@code {"predictions": [[p_label0, p_label1, ...]]}} (resp. {@code "outputs"})
 * with probabilities in label order; and {@code GET /v1/models/{name}[/versions/{v}]} (version status).
 */
final class TfServingRoutes {
  private final Workers workers;
  private final RequestImages inputs;
  private final long maxBodyBytes;

  TfServingRoutes(Workers workers, RequestImages inputs, long maxBodyBytes) {
    this.workers = workers;
    this.inputs = inputs;
    this.maxBodyBytes = maxBodyBytes;
  }

  void predict(RoutingContext ctx) {
    String model = ModelPaths.name(ctx);
    Long version = Workers.versionOrFail(ctx);
    if (version == null) {
      return;
    }
    JsonBodies.read(ctx, maxBodyBytes, json -> {
          boolean columnar = !json.containsKey("instances") && json.containsKey("inputs");
          return new Instances(columnar, images(json, columnar));
        })
        .compose(in -> workers.classify(model, version, in.images()).map(reply -> {
          JsonArray rows = new JsonArray();
          for (Prediction p : reply.getPredictionsList()) {
            JsonArray row = new JsonArray();
            p.getProbabilitiesList().forEach(v -> row.add(Workers.number(v)));
            rows.add(row);
          }
          return new JsonObject().put(in.columnar() ? "outputs" : "predictions", rows);
        }))
        .onSuccess(json -> Workers.json(ctx, json))
        .onFailure(e -> Workers.fail(ctx, e));
  }

  /** A predict request's images, and whether it came in the columnar format (which the answer follows). */
  private record Instances(boolean columnar, List<Image> images) {
  }

  private List<Image> images(JsonObject json, boolean columnar) {
    Object list = json.getValue(columnar ? "inputs" : "instances");
    if (columnar && list instanceof JsonObject named && named.size() == 1) {
      list = named.getValue(named.fieldNames().iterator().next());  // {"inputs": {"image": [...]}}
    }
    if (!(list instanceof JsonArray array) || array.isEmpty()) {
      throw new ServiceException(ErrorCode.INVALID_ARGUMENT, "the body needs \"instances\": [{\"b64\": \"<base64 JPEG or PNG>\"}, ...]"
          + " (or \"inputs\" in the columnar format)");
    }
    inputs.checkCount(array.size());
    List<Image> images = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      Object item = array.getValue(i);
      String where = (columnar ? "inputs" : "instances") + "[" + i + "]";
      if (item instanceof JsonObject o && o.size() == 1 && !o.containsKey("b64")
          && o.getValue(o.fieldNames().iterator().next()) instanceof JsonObject inner) {
        item = inner;  // {"image": {"b64": ...}}: a named input
      }
      if (item instanceof JsonObject o && o.getValue("b64") instanceof String b64) {
        images.add(inputs.base64(b64, where + ".b64", ""));
      } else {
        throw new ServiceException(ErrorCode.INVALID_ARGUMENT, where + " must be {\"b64\": \"<base64 JPEG or PNG>\"}:"
            + " this model takes encoded images");
      }
    }
    return images;
  }

  /** {@code {"model_version_status": [{"version": "3", "state": "AVAILABLE", "status": {"error_code": "OK", ...}}]}} */
  void status(RoutingContext ctx) {
    String model = ModelPaths.name(ctx);
    Long version = Workers.versionOrFail(ctx);
    if (version == null) {
      return;
    }
    workers.models(model, version).onSuccess(reply -> {
      JsonArray statuses = new JsonArray();
      for (ModelInfo info : reply.getModelsList()) {
        for (ModelVersionStatus s : info.getVersionsList()) {
          boolean failed = s.getState().equals("FAILED");
          statuses.add(new JsonObject()
              .put("version", Long.toString(s.getVersion()))
              .put("state", failed ? "END" : s.getState())
              .put("status", new JsonObject().put("error_code", failed ? "UNKNOWN" : "OK")
                  .put("error_message", s.getError())));
        }
      }
      Workers.json(ctx, new JsonObject(Map.of("model_version_status", statuses)));
    }).onFailure(e -> Workers.fail(ctx, e));
  }
}
