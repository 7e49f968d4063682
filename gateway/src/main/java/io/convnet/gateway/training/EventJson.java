package io.convnet.gateway.training;

import io.convnet.proto.TrainEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Training events as the HTTP API shows them: a server-sent event name per kind
 * ({@code submitted, started, progress, epoch, published, failed, cancelled, interrupted})
 * and a flat camelCase JSON object with {@code type, jobId, timestampMs, instance} plus the
 * kind's fields.
 */
final class EventJson {
  private EventJson() {
  }

  static boolean terminal(TrainEvent event) {
    return switch (event.getKindCase()) {
      case PUBLISHED, FAILED, CANCELLED -> true;
      default -> false;
    };
  }

  /** The SSE event name; null for an event of no kind this gateway knows (a newer producer's). */
  static String name(TrainEvent event) {
    return switch (event.getKindCase()) {
      case SUBMITTED -> "submitted";
      case STARTED -> "started";
      case PROGRESS -> "progress";
      case EPOCH -> "epoch";
      case PUBLISHED -> "published";
      case FAILED -> "failed";
      case CANCELLED -> "cancelled";
      case INTERRUPTED -> "interrupted";
      default -> null;
    };
  }

  static JsonObject toJson(TrainEvent e) {
    JsonObject json = new JsonObject().put("type", name(e)).put("jobId", e.getJobId())
        .put("timestampMs", e.getTimestampMs());
    if (!e.getInstance().isEmpty()) {
      json.put("instance", e.getInstance());
    }
    return switch (e.getKindCase()) {
      case SUBMITTED -> json.put("job", JobSpecs.toJson(e.getSubmitted().getJob()));
      case STARTED -> json.mergeIn(started(e.getStarted()));
      case PROGRESS -> json.mergeIn(progress(e.getProgress()));
      case EPOCH -> json.mergeIn(epoch(e.getEpoch()));
      case PUBLISHED -> json.mergeIn(published(e.getPublished()));
      case FAILED -> json.put("error", new JsonObject().put("code", e.getFailed().getError().getCode().name())
          .put("message", e.getFailed().getError().getMessage()));
      case CANCELLED -> json.put("epoch", e.getCancelled().getEpoch());
      case INTERRUPTED -> json.put("epoch", e.getInterrupted().getEpoch()).put("reason", e.getInterrupted().getReason());
      default -> json;
    };
  }

  static JsonObject started(TrainEvent.Started s) {
    return new JsonObject().put("trainImages", s.getTrainImages()).put("validationImages", s.getValidationImages())
        .put("labels", new JsonArray(s.getLabelsList().stream().map(Object.class::cast).toList()))
        .put("resumedFromEpoch", s.getResumedFromEpoch()).put("parameters", s.getParameters())
        .put("epochs", s.getEpochs()).put("batchesPerEpoch", s.getBatchesPerEpoch()).put("imageSize", s.getImageSize());
  }

  static JsonObject progress(TrainEvent.BatchProgress p) {
    return new JsonObject().put("epoch", p.getEpoch()).put("batch", p.getBatch()).put("batches", p.getBatches())
        .put("loss", p.getLoss()).put("accuracy", p.getAccuracy()).put("imagesPerSecond", p.getImagesPerSecond());
  }

  static JsonObject epoch(TrainEvent.EpochEnd m) {
    return new JsonObject().put("epoch", m.getEpoch()).put("epochs", m.getEpochs()).put("loss", m.getLoss())
        .put("accuracy", m.getAccuracy()).put("valLoss", m.getValLoss()).put("valAccuracy", m.getValAccuracy())
        .put("seconds", m.getSeconds()).put("best", m.getBest());
  }

  static JsonObject published(TrainEvent.Published p) {
    return new JsonObject().put("model", p.getModel()).put("version", p.getVersion()).put("path", p.getPath())
        .put("loss", p.getLoss()).put("accuracy", p.getAccuracy()).put("valLoss", p.getValLoss())
        .put("valAccuracy", p.getValAccuracy()).put("bestEpoch", p.getBestEpoch()).put("epochsRun", p.getEpochsRun())
        .put("stoppedEarly", p.getStoppedEarly()).put("seconds", p.getSeconds())
        .put("promotion", p.getPromotion().isEmpty() ? null : p.getPromotion());
  }
}
