package io.convnet.gateway.training;

import io.convnet.proto.TrainEvent;
import io.convnet.proto.TrainJob;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/**
 * One job as its events describe it. Keeps what a late subscriber needs to catch up (the
 * submission, the latest start, every epoch, the latest progress, the ending), not every
 * progress event: memory grows with epochs, not with batches. Guarded by {@link JobRegistry}.
 */
final class JobState {
  /** The states a job is reported in. */
  static final List<String> STATES = List.of("queued", "running", "succeeded", "failed", "cancelled");

  /** An event and its offset on the events topic (the SSE {@code id}). */
  record Stored(long offset, TrainEvent event) {
  }

  final String id;
  private TrainJob spec;
  private String state = "queued";
  private long submittedMs;
  private long startedMs;
  private long endedMs;
  private String instance;
  private boolean cancelRequested;
  private long lastOffset = -1;
  private Stored submitted;
  private Stored started;
  private Stored progress;
  private Stored interrupted;
  private Stored ending;
  private final TreeMap<Integer, Stored> epochs = new TreeMap<>();

  JobState(String id) {
    this.id = id;
  }

  /** False when the event was seen before (same or older offset) or the job had already ended. */
  boolean apply(long offset, TrainEvent e) {
    if (offset <= lastOffset) {
      return false;
    }
    lastOffset = offset;
    if (submittedMs == 0) {
      submittedMs = e.getTimestampMs();  // a job whose submission was not seen (retention): its first event
    }
    if (ending != null) {
      return false;  // the ending is final; a late duplicate of it changes nothing
    }
    Stored s = new Stored(offset, e);
    switch (e.getKindCase()) {
      case SUBMITTED -> {
        submitted = s;
        spec = e.getSubmitted().getJob();
        submittedMs = spec.getSubmittedMs() > 0 ? spec.getSubmittedMs() : e.getTimestampMs();
      }
      case STARTED -> {
        started = s;
        progress = null;
        interrupted = null;
        running(e);
      }
      case PROGRESS -> {
        progress = s;
        running(e);
      }
      case EPOCH -> {
        epochs.put(e.getEpoch().getEpoch(), s);
        running(e);
      }
      case INTERRUPTED -> {
        interrupted = s;
        progress = null;
        state = "queued";
      }
      case PUBLISHED -> end(s, "succeeded");
      case FAILED -> end(s, "failed");
      case CANCELLED -> end(s, "cancelled");
      default -> {
        return false;
      }
    }
    return true;
  }

  private void running(TrainEvent e) {
    state = "running";
    instance = e.getInstance();
    if (startedMs == 0) {
      startedMs = e.getTimestampMs();
    }
  }

  private void end(Stored s, String endState) {
    ending = s;
    progress = null;
    state = endState;
    endedMs = s.event().getTimestampMs();
  }

  void cancelRequested() {
    cancelRequested = true;
  }

  String state() {
    return state;
  }

  boolean ended() {
    return ending != null;
  }

  long submittedMs() {
    return submittedMs;
  }

  /** What a subscriber replays, in log order, after {@code afterOffset} (a reconnecting client's Last-Event-ID). */
  List<Stored> replay(long afterOffset) {
    List<Stored> all = new ArrayList<>();
    for (Stored s : new Stored[] {submitted, started, interrupted, progress, ending}) {
      if (s != null) {
        all.add(s);
      }
    }
    all.addAll(epochs.values());
    return all.stream().filter(s -> s.offset() > afterOffset).sorted(Comparator.comparingLong(Stored::offset)).toList();
  }

  /** The job for {@code GET}: its parameters, state, data, latest figures, outcome; {@code history} adds every epoch. */
  JsonObject toJson(boolean history) {
    JsonObject json = new JsonObject().put("id", id).put("state", state)
        .put("spec", spec == null ? null : JobSpecs.toJson(spec))
        .put("submittedMs", submittedMs);
    if (startedMs > 0) {
      json.put("startedMs", startedMs);
    }
    if (endedMs > 0) {
      json.put("endedMs", endedMs);
    }
    if (instance != null && !instance.isEmpty()) {
      json.put("instance", instance);
    }
    if (cancelRequested && ending == null) {
      json.put("cancelRequested", true);
    }
    if (started != null) {
      json.put("data", EventJson.started(started.event().getStarted()));
    }
    json.put("epochsCompleted", epochs.isEmpty() ? 0 : epochs.lastKey());
    if (!epochs.isEmpty()) {
      json.put("lastEpoch", EventJson.epoch(epochs.lastEntry().getValue().event().getEpoch()));
    }
    if (progress != null) {
      json.put("progress", EventJson.progress(progress.event().getProgress()));
    }
    if (interrupted != null) {
      json.put("interrupted", new JsonObject().put("epoch", interrupted.event().getInterrupted().getEpoch())
          .put("reason", interrupted.event().getInterrupted().getReason()));
    }
    if (ending != null) {
      TrainEvent e = ending.event();
      switch (e.getKindCase()) {
        case PUBLISHED -> json.put("model", EventJson.published(e.getPublished()));
        case FAILED -> json.put("error", new JsonObject().put("code", e.getFailed().getError().getCode().name())
            .put("message", e.getFailed().getError().getMessage()));
        case CANCELLED -> json.put("cancelledAtEpoch", e.getCancelled().getEpoch());
        default -> { }
      }
    }
    if (history) {
      JsonArray h = new JsonArray();
      epochs.values().forEach(s -> h.add(EventJson.epoch(s.event().getEpoch())));
      json.put("history", h);
    }
    String self = "/v1/training-jobs/" + id;
    return json.put("links", new JsonObject().put("self", self).put("events", self + "/events"));
  }
}
