package io.convnet.bench;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Where a classify request's time goes at concurrency 1, as means (they add up, medians do not):
 * the client's latency, the reply's {@code timing} (gateway {@code serverMs}; worker
 * {@code decodeMs}, {@code queueMs}, {@code computeMs}), and the service kit's own timers: the
 * gateway's Kafka request ({@code convnet.requests}) and the worker's handling from the poll
 * thread to the answer ({@code convnet.responder.requests}). Replies arrive on one event loop.
 */
final class LatencyBreakdown {
  private final double[] sums = new double[5];  // client, server, decode, queue, compute (ms)
  private long replies;
  private final double[] kit = new double[4];   // requester count and ms, responder count and ms

  void add(long clientNanos, JsonObject timing) {
    sums[0] += clientNanos / 1e6;
    sums[1] += timing.getDouble("serverMs");
    sums[2] += timing.getDouble("decodeMs");
    sums[3] += timing.getDouble("queueMs");
    sums[4] += timing.getDouble("computeMs");
    replies++;
  }

  void clear() {
    Arrays.fill(sums, 0);
    Arrays.fill(kit, 0);
    replies = 0;
  }

  /** The kit's timers as {count, total ms}: call before and after a window, {@link #addKit} the difference. */
  static double[] kitTimers(MeterRegistry gateway, MeterRegistry worker) {
    Timer requests = gateway.find("convnet.requests").tags("exchange", "classify", "outcome", "OK").timer();
    Timer handled = worker.find("convnet.responder.requests").tags("exchange", "classify", "outcome", "OK").timer();
    return new double[] {
        requests == null ? 0 : requests.count(), requests == null ? 0 : requests.totalTime(TimeUnit.MILLISECONDS),
        handled == null ? 0 : handled.count(), handled == null ? 0 : handled.totalTime(TimeUnit.MILLISECONDS)};
  }

  void addKit(double[] before, double[] after) {
    for (int i = 0; i < kit.length; i++) {
      kit[i] += after[i] - before[i];
    }
  }

  void print(String system) {
    if (replies == 0 || kit[0] == 0 || kit[2] == 0) {
      return;
    }
    double client = sums[0] / replies;
    double server = sums[1] / replies;
    double decode = sums[2] / replies;
    double queue = sums[3] / replies;
    double compute = sums[4] / replies;
    double request = kit[1] / kit[0];
    double handled = kit[3] / kit[2];
    System.out.printf("%s, means over %d requests: client %.2f ms = client-gateway HTTP %.2f + gateway %.2f;"
            + " of the gateway's: Kafka request %.2f (of it two Kafka hops %.2f, worker %.2f = decode %.2f + queue %.2f"
            + " + compute %.2f + hand-offs %.2f), the rest %.2f%n", system, replies, client, client - server, server,
        request, request - handled, handled, decode, queue, compute, handled - decode - queue - compute,
        server - request);
  }
}
