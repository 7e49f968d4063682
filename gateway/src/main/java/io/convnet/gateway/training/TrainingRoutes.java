package io.convnet.gateway.training;

import com.google.protobuf.MessageLite;
import io.convnet.gateway.access.Access;
import io.convnet.gateway.access.Role;
import io.convnet.gateway.http.RequestBody;
import io.convnet.gateway.http.RouteGroup;
import io.convnet.kit.ServiceException;
import io.convnet.kit.http.HttpErrors;
import io.convnet.kit.http.ListLimit;
import io.convnet.kit.kafka.Publish;
import io.convnet.limits.TrainingLimits;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.Error;
import io.convnet.proto.Topic;
import io.convnet.proto.Topics;
import io.convnet.proto.TrainControl;
import io.convnet.proto.TrainEvent;
import io.convnet.proto.TrainJob;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * The training-job API: {@code POST /v1/training-jobs} (validate, record {@code Submitted},
 * queue the job), {@code GET /v1/training-jobs[?state=&limit=]}, {@code GET .../{id}},
 * {@code DELETE .../{id}} (cancel), {@code GET .../{id}/events} (server-sent events), and
 * {@code GET .../defaults}: the job each architecture gets when a body names nothing but it (the web page's form
 * fills itself from it).
 */
final class TrainingRoutes implements RouteGroup {
  static final String BASE = "/v1/training-jobs";
  static final int BODY_LIMIT = 64 * 1024;
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;

  private final Vertx vertx;
  private final Producer<String, byte[]> producer;
  private final JobRegistry registry;
  private final String instance;
  private final BooleanSupplier loaded;
  private final long heartbeatMs;

  TrainingRoutes(Vertx vertx, Producer<String, byte[]> producer, JobRegistry registry, String instance,
                 BooleanSupplier loaded, long heartbeatMs) {
    this.vertx = vertx;
    this.producer = producer;
    this.registry = registry;
    this.instance = instance;
    this.loaded = loaded;
    this.heartbeatMs = heartbeatMs;
  }

  @Override
  public void mount(Router router, Access access) {
    access.require(Role.TRAINER, router.post(BASE)).handler(RequestBody.handler(BODY_LIMIT))
        .handler(this::create);
    access.read(router.get(BASE)).handler(this::list);
    access.read(router.get(BASE + "/defaults")).handler(this::defaults);  // before /:id, which would take it
    access.read(router.get(BASE + "/:id")).handler(this::get);
    access.require(Role.TRAINER, router.delete(BASE + "/:id")).handler(this::cancel);
    access.read(router.get(BASE + "/:id/events")).handler(this::events);
  }

  private boolean loading(RoutingContext ctx) {
    if (loaded.getAsBoolean()) {
      return false;
    }
    HttpErrors.respond(ctx, ErrorCode.UNAVAILABLE, "the job list is still being read from "
        + Topics.TRAIN_EVENTS.name() + "; retry in a moment");
    return true;
  }

  private void create(RoutingContext ctx) {
    if (loading(ctx)) {
      return;
    }
    String contentType = ctx.request().getHeader("content-type");
    if (contentType != null && !contentType.toLowerCase(java.util.Locale.ROOT).contains("json")) {
      HttpErrors.respond(ctx, ErrorCode.UNSUPPORTED_MEDIA_TYPE, "send the job as JSON (application/json), not "
          + contentType);
      return;
    }
    TrainJob job;
    try {
      JsonObject body = body(ctx);
      long now = System.currentTimeMillis();
      job = JobSpecs.parse(body).setJobId(TimeSortedJobIds.next(now)).setSubmittedMs(now).build();
      Access.note(ctx, "job", job.getJobId());
      Access.note(ctx, "model", job.getModel());
    } catch (ServiceException e) {
      HttpErrors.respond(ctx, e);
      return;
    }
    TrainEvent submitted = TrainEvent.newBuilder().setJobId(job.getJobId()).setTimestampMs(job.getSubmittedMs())
        .setInstance(instance).setSubmitted(TrainEvent.Submitted.newBuilder().setJob(job)).build();
    // Submitted first: the job's history exists before any trainer can report on it.
    send(Topics.TRAIN_EVENTS, job.getJobId(), submitted)
        .compose(metadata -> {
          registry.apply(metadata.offset(), submitted);  // read-your-writes; the follower skips it later
          return send(Topics.TRAIN_JOBS, job.getJobId(), job).recover(e -> {
            failUnqueued(job.getJobId(), e);
            return Future.failedFuture(e);
          });
        })
        .onSuccess(v -> ctx.response().setStatusCode(201)
            .putHeader("location", BASE + "/" + job.getJobId())
            .putHeader("content-type", "application/json")
            .end(registry.read(job.getJobId(), j -> j.toJson(true)).orElseThrow().encode()))
        .onFailure(e -> HttpErrors.respond(ctx, e));
  }

  private static JsonObject body(RoutingContext ctx) {
    var buffer = RequestBody.raw(ctx);
    if (buffer.length() == 0) {
      throw new ServiceException(ErrorCode.INVALID_ARGUMENT,
          "send the job as a JSON object, e.g. {\"dataDir\": \"cats-vs-dogs\", \"epochs\": 2}; {} takes every default");
    }
    Object parsed;
    try {
      parsed = io.vertx.core.json.Json.decodeValue(buffer);
    } catch (DecodeException e) {
      throw new ServiceException(ErrorCode.INVALID_ARGUMENT, "the body is not valid JSON: " + e.getMessage());
    }
    if (!(parsed instanceof JsonObject json)) {
      throw new ServiceException(ErrorCode.INVALID_ARGUMENT, "the body must be a JSON object, not "
          + (parsed instanceof JsonArray ? "an array" : String.valueOf(parsed)));
    }
    return json;
  }

  /** The job could not be queued: its history must not say "queued" for ever. */
  private void failUnqueued(String jobId, Throwable cause) {
    TrainEvent failed = TrainEvent.newBuilder().setJobId(jobId).setTimestampMs(System.currentTimeMillis())
        .setInstance(instance).setFailed(TrainEvent.Failed.newBuilder().setError(Error.newBuilder()
            .setCode(ErrorCode.UNAVAILABLE).setMessage("the job could not be queued: " + cause.getMessage()))).build();
    send(Topics.TRAIN_EVENTS, jobId, failed)
        .onSuccess(metadata -> registry.apply(metadata.offset(), failed));
  }

  private void list(RoutingContext ctx) {
    if (loading(ctx)) {
      return;
    }
    String state = ctx.queryParams().get("state");
    if (state != null && !JobState.STATES.contains(state)) {
      HttpErrors.respond(ctx, ErrorCode.INVALID_ARGUMENT, "unknown state '" + state + "'; known: "
          + String.join(", ", JobState.STATES));
      return;
    }
    int limit;
    try {
      limit = ListLimit.of(ctx, DEFAULT_LIMIT, MAX_LIMIT);
    } catch (ServiceException e) {
      HttpErrors.respond(ctx, e);
      return;
    }
    List<JsonObject> jobs = registry.list(state, limit);
    ctx.response().putHeader("content-type", "application/json")
        .end(new JsonObject().put("count", jobs.size()).put("jobs", new JsonArray(List.copyOf(jobs))).encode());
  }

  private void defaults(RoutingContext ctx) {
    JsonObject architectures = new JsonObject();
    for (String a : TrainingLimits.ARCHITECTURES) {
      architectures.put(a, JobSpecs.toJson(JobSpecs.parse(new JsonObject().put("architecture", a)).build()));
    }
    ctx.response().putHeader("content-type", "application/json")
        .end(new JsonObject().put("architectures", architectures).encode());
  }

  private void get(RoutingContext ctx) {
    if (loading(ctx)) {
      return;
    }
    String id = ctx.pathParam("id");
    registry.read(id, j -> j.toJson(true)).ifPresentOrElse(
        json -> ctx.response().putHeader("content-type", "application/json").end(json.encode()),
        () -> notFound(ctx, id));
  }

  private void cancel(RoutingContext ctx) {
    if (loading(ctx)) {
      return;
    }
    String id = ctx.pathParam("id");
    Access.note(ctx, "job", id);
    String state = registry.read(id, JobState::state).orElse(null);
    if (state == null) {
      notFound(ctx, id);
      return;
    }
    if (registry.read(id, JobState::ended).orElse(false)) {
      HttpErrors.respond(ctx, ErrorCode.CONFLICT, "training job '" + id + "' has already ended (" + state
          + "); nothing to cancel");
      return;
    }
    TrainControl cancel = TrainControl.newBuilder().setJobId(id).setAction(TrainControl.Action.CANCEL)
        .setTimestampMs(System.currentTimeMillis()).build();
    send(Topics.TRAIN_CONTROL, id, cancel)
        .onSuccess(v -> {
          registry.cancelRequested(id);
          ctx.response().setStatusCode(202).putHeader("content-type", "application/json")
              .end(registry.read(id, j -> j.toJson(false)).orElseThrow().encode());
        })
        .onFailure(e -> HttpErrors.respond(ctx, e));
  }

  private void events(RoutingContext ctx) {
    if (loading(ctx)) {
      return;
    }
    String id = ctx.pathParam("id");
    long after = -1;
    String lastEventId = ctx.request().getHeader("last-event-id");
    if (lastEventId != null) {
      try {
        after = Long.parseLong(lastEventId.trim());
      } catch (NumberFormatException e) {
        HttpErrors.respond(ctx, ErrorCode.INVALID_ARGUMENT, "Last-Event-ID must be an event id from this stream");
        return;
      }
    }
    if (!JobEventStream.open(vertx, ctx.response(), registry, id, after, heartbeatMs)) {
      notFound(ctx, id);
    }
  }

  private static void notFound(RoutingContext ctx, String id) {
    HttpErrors.respond(ctx, ErrorCode.NOT_FOUND, "no training job '" + id + "'");
  }

  /** Writes a record without waiting on the event loop; Kafka unreachable: UNAVAILABLE. */
  private <T extends MessageLite> Future<RecordMetadata> send(Topic<T> topic, String key, T message) {
    return Publish.send(producer, topic, key, message);
  }
}
