package io.convnet.bench;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a classify request's time goes, from the client's latency and the reply's {@code timing}
 * (gateway-measured {@code serverMs}; the worker's {@code decodeMs}, {@code queueMs},
 * {@code computeMs}): medians of each and of what is left for the client's HTTP and for the two
 * Kafka hops. Callbacks run on one event loop, so no locking.
 */
final class LatencyBreakdown {
  private final List<double[]> rows = new ArrayList<>();

  void add(long clientNanos, JsonObject timing) {
    double client = clientNanos / 1e6;
    double server = timing.getDouble("serverMs");
    double decode = timing.getDouble("decodeMs");
    double queue = timing.getDouble("queueMs");
    double compute = timing.getDouble("computeMs");
    rows.add(new double[] {client, server, decode, queue, compute, client - server, server - decode - queue - compute});
  }

  void clear() {
    rows.clear();
  }

  void print(String system) {
    if (rows.isEmpty()) {
      return;
    }
    System.out.printf("%s, medians over %d requests: client %.2f ms; client-gateway HTTP %.2f; in the gateway"
            + " %.2f: worker decode %.2f, queue %.2f, compute %.2f, the rest (Kafka hops, hand-offs) %.2f%n",
        system, rows.size(), median(0), median(5), median(1), median(2), median(3), median(4), median(6));
  }

  private double median(int column) {
    double[] values = rows.stream().mapToDouble(r -> r[column]).sorted().toArray();
    return values[values.length / 2];
  }
}
