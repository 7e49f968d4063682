package io.convnet.gateway.training;

import io.convnet.proto.TrainEvent;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's {@code GET /v1/training-jobs/{id}/events} (server-sent events): the job's
 * events so far, then live ones, each as {@code id: <offset>}, {@code event: <kind>},
 * {@code data: <json>}; a comment heartbeat while nothing happens; the stream ends after the
 * job's last event. A reconnecting client's {@code Last-Event-ID} skips what it has seen; one
 * that has seen the ending gets 204 (which stops a browser's EventSource from reconnecting).
 *
 * <p>A slow client costs bounded memory: while its write queue is full, progress events
 * (each superseded by the next) are dropped, and after {@link #MAX_WRITES_WHILE_FULL} other
 * events the connection is closed (the client reconnects with its Last-Event-ID).
 */
final class JobEventStream implements JobRegistry.Subscriber {
  private static final Logger LOG = LoggerFactory.getLogger(JobEventStream.class);
  static final int WRITE_QUEUE_BYTES = 64 * 1024;
  static final int MAX_WRITES_WHILE_FULL = 64;

  private final Vertx vertx;
  private final Context context;
  private final HttpServerResponse response;
  private final JobRegistry registry;
  private final String jobId;
  private long heartbeatTimer = -1;
  private boolean closed;
  private int writesWhileFull;

  private JobEventStream(Vertx vertx, HttpServerResponse response, JobRegistry registry, String jobId) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.response = response;
    this.registry = registry;
    this.jobId = jobId;
  }

  /** Streams {@code jobId}'s events to {@code response}; false (nothing written) when the job is unknown. */
  static boolean open(Vertx vertx, HttpServerResponse response, JobRegistry registry, String jobId,
                      long afterOffset, long heartbeatMs) {
    JobEventStream stream = new JobEventStream(vertx, response, registry, jobId);
    var subscription = registry.subscribe(jobId, afterOffset, stream);
    if (subscription.isEmpty()) {
      return false;
    }
    JobRegistry.Subscription sub = subscription.get();
    if (sub.ended() && sub.replay().isEmpty()) {
      // A browser's EventSource reconnecting after the ending: 204 tells it to stop for good.
      response.setStatusCode(204).end();
      return true;
    }
    stream.begin(sub.replay(), heartbeatMs);
    return true;
  }

  /** An ended job's replay holds its ending, after which {@link #write} ends the stream. */
  private void begin(List<JobState.Stored> replay, long heartbeatMs) {
    response.setChunked(true)
        .putHeader("content-type", "text/event-stream; charset=utf-8")
        .putHeader("cache-control", "no-cache")
        .putHeader("x-accel-buffering", "no")  // proxies must not buffer the stream
        .setWriteQueueMaxSize(WRITE_QUEUE_BYTES);
    response.closeHandler(v -> close());
    response.exceptionHandler(e -> close());
    response.drainHandler(v -> writesWhileFull = 0);
    response.write("retry: 3000\n\n");
    for (JobState.Stored s : replay) {
      write(s.offset(), s.event());
    }
    if (!closed) {
      heartbeatTimer = vertx.setPeriodic(heartbeatMs, t -> {
        if (!closed && !response.writeQueueFull()) {
          response.write(": heartbeat\n\n");
        }
      });
    }
  }

  @Override
  public void onEvent(long offset, TrainEvent event) {
    context.runOnContext(v -> write(offset, event));
  }

  private void write(long offset, TrainEvent event) {
    if (closed) {
      return;
    }
    if (response.writeQueueFull()) {
      if (event.getKindCase() == TrainEvent.KindCase.PROGRESS) {
        return;
      }
      if (++writesWhileFull > MAX_WRITES_WHILE_FULL) {
        LOG.info("events of job {}: client too slow, closing its stream", jobId);
        close();
        response.reset();
        return;
      }
    }
    response.write("id: " + offset + "\nevent: " + EventJson.name(event) + "\ndata: "
        + EventJson.toJson(event).encode() + "\n\n");
    if (EventJson.terminal(event)) {
      close();
      response.end();
    }
  }

  private void close() {
    if (closed) {
      return;
    }
    closed = true;
    registry.unsubscribe(jobId, this);
    if (heartbeatTimer >= 0) {
      vertx.cancelTimer(heartbeatTimer);
    }
  }
}
