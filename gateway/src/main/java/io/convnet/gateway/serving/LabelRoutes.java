package io.convnet.gateway.serving;

import io.convnet.gateway.access.Access;
import io.convnet.gateway.http.ModelPaths;
import io.convnet.gateway.http.RequestBody;
import io.convnet.kit.ServiceException;
import io.convnet.kit.kafka.KafkaRequester;
import io.convnet.limits.LifecycleLimits;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.Exchanges;
import io.convnet.proto.LabelMove;
import io.convnet.proto.LabelsReply;
import io.convnet.proto.LabelsRequest;
import io.convnet.proto.ModelInfo;
import io.convnet.proto.PromotionPolicy;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;

/**
 * A model's version labels and promotion policy, and deleting its versions:
 * <pre>
 * GET    /v1/models/{name}/labels            the labels (and policy), as the workers know them
 * PUT    /v1/models/{name}/labels/{label}    {"version": N}: set or move a label (promotion, rollback)
 * DELETE /v1/models/{name}/labels/{label}    remove one (never stable: 409)
 * GET    /v1/models/{name}/policy            the promotion policy
 * PUT    /v1/models/{name}/policy            {"mode": "manual"|"auto"|"canary", "tolerance", "floor", "canaryShare", "shadowShare"}
 * DELETE /v1/models/{name}/versions/{v}      delete a version (never one a label names: 409)
 * </pre>
 * Changes go to a trainer over the labels exchange (it owns the model store); it keeps them and announces
 * them on the models topic, and every worker switches within moments. All answer
 * {@code {"model", "labels", "policy", "revision"}}.
 */
final class LabelRoutes {
  static final int BODY_LIMIT = 4096;
  private static final List<String> POLICY_FIELDS = List.of("mode", "tolerance", "floor", "canaryShare", "shadowShare");

  private final KafkaRequester requester;
  private final Workers workers;

  LabelRoutes(KafkaRequester requester, Workers workers) {
    this.requester = requester;
    this.workers = workers;
  }

  /** GET labels and GET policy: the model's state as a worker has it. */
  void get(RoutingContext ctx) {
    String name = ModelPaths.name(ctx);
    workers.models(name, 0).onSuccess(reply -> HttpAnswers.json(ctx, json(reply.getModels(0))))
        .onFailure(e -> HttpAnswers.fail(ctx, e));
  }

  void put(RoutingContext ctx) {
    change(ctx, () -> {
      String label = ModelPaths.label(ctx.pathParam("label"));
      JsonObject body = body(ctx);
      Object v = body.getValue("version");
      if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.longValue() < 1
          || body.size() != 1) {
        throw new ServiceException(ErrorCode.INVALID_ARGUMENT, "send {\"version\": N}, N the version the label "
            + "names (a positive integer)");
      }
      Access.note(ctx, "label", label);
      Access.note(ctx, "version", Long.toString(n.longValue()));
      return LabelsRequest.newBuilder().setMove(LabelMove.newBuilder().setLabel(label).setVersion(n.longValue()));
    });
  }

  void delete(RoutingContext ctx) {
    change(ctx, () -> {
      String label = ModelPaths.label(ctx.pathParam("label"));
      Access.note(ctx, "label", label);  // stable is refused by the trainer (409), which owns that rule
      return LabelsRequest.newBuilder().setRemove(label);
    });
  }

  /** DELETE a version: the trainer refuses one a label names (409) and makes it disappear whole. */
  void deleteVersion(RoutingContext ctx) {
    change(ctx, () -> {
      long version = ModelPaths.version(ctx);
      Access.note(ctx, "version", Long.toString(version));
      return LabelsRequest.newBuilder().setDeleteVersion(version);
    });
  }

  void putPolicy(RoutingContext ctx) {
    change(ctx, () -> {
      JsonObject body = body(ctx);
      for (String field : body.fieldNames()) {
        if (!POLICY_FIELDS.contains(field)) {
          throw new ServiceException(ErrorCode.INVALID_ARGUMENT, "unknown policy field '" + field + "'; a policy has "
              + POLICY_FIELDS + " (those left out take their defaults)");
        }
      }
      String mode = body.getValue("mode", LifecycleLimits.DEFAULT_MODE) instanceof String s ? s : "(not a string)";
      double tolerance = number(body, "tolerance", LifecycleLimits.DEFAULT_TOLERANCE);
      double floor = number(body, "floor", LifecycleLimits.DEFAULT_FLOOR);
      double canaryShare = number(body, "canaryShare", LifecycleLimits.DEFAULT_CANARY_SHARE);
      double shadowShare = number(body, "shadowShare", LifecycleLimits.DEFAULT_SHADOW_SHARE);
      ServiceException.check(() -> LifecycleLimits.checkPolicy(mode, tolerance, floor, canaryShare, shadowShare));
      Access.note(ctx, "policy", mode);
      return LabelsRequest.newBuilder().setPolicy(PromotionPolicy.newBuilder().setMode(mode).setTolerance(tolerance)
          .setFloor(floor).setCanaryShare(canaryShare).setShadowShare(shadowShare));
    });
  }

  /** A change: checked here, made by a trainer, answered with the model's new state. */
  private void change(RoutingContext ctx, java.util.function.Supplier<LabelsRequest.Builder> request) {
    String name = ModelPaths.name(ctx);
    Access.note(ctx, "model", name);
    LabelsRequest r;
    try {
      r = request.get().setModel(name).setActor(Access.subject(ctx)).setRequestId(UUID.randomUUID().toString())
          .build();
    } catch (ServiceException e) {
      HttpAnswers.fail(ctx, e);
      return;
    }
    Future<LabelsReply> reply = requester.request(Exchanges.LABELS, r);
    reply.onSuccess(state -> HttpAnswers.json(ctx, json(state))).onFailure(e -> HttpAnswers.fail(ctx, e));
  }

  private static JsonObject body(RoutingContext ctx) {
    var buffer = RequestBody.raw(ctx);
    try {
      // Json.decodeValue gives JsonObject for an object (Buffer.toJson() gives a Map)
      Object parsed = buffer == null || buffer.length() == 0 ? null : Json.decodeValue(buffer);
      if (parsed instanceof JsonObject o) {
        return o;
      }
    } catch (DecodeException e) {
      // below
    }
    throw new ServiceException(ErrorCode.INVALID_ARGUMENT, "send a JSON object (application/json)");
  }

  private static double number(JsonObject body, String field, double otherwise) {
    Object v = body.getValue(field);
    if (v == null) {
      return otherwise;
    }
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    throw new ServiceException(ErrorCode.INVALID_ARGUMENT, "'" + field + "' must be a number between 0 and 1");
  }

  static JsonObject json(LabelsReply r) {
    return new JsonObject().put("model", r.getModel())
        .put("labels", new JsonObject(new TreeMap<String, Object>(r.getVersionLabelsMap())))
        .put("policy", ModelDetails.policy(r.getPolicy())).put("revision", r.getRevision())
        .put("updatedBy", r.getUpdatedBy()).put("updatedAt", r.getUpdatedAt());
  }

  private static JsonObject json(ModelInfo m) {
    return new JsonObject().put("model", m.getName())
        .put("labels", new JsonObject(new TreeMap<String, Object>(m.getVersionLabelsMap())))
        .put("policy", ModelDetails.policy(m.getPolicy())).put("revision", m.getLabelsRevision());
  }
}
