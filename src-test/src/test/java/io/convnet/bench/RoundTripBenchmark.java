package io.convnet.bench;

import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kafka.local.LocalKafkaBroker;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * HTTP -> gateway -> Kafka -> service -> Kafka -> gateway -> HTTP round trips, a bare echo
 * and the service kit measured side by side against one broker, interleaved per
 * concurrency level (so both see the same machine load), each after a warm-up.
 * Prints p50, p99, requests/s and the kit/bare ratios; with several rounds, the round
 * with the median kit/bare throughput ratio is reported per level.
 *
 * <p>Run with {@code ./bench.sh [seconds] [rounds]}; {@code -Dconvnet.kafka.bootstrap}
 * uses an external broker instead of one in this JVM.
 */
public final class RoundTripBenchmark {
  private static final int[] CONCURRENCY = {1, 8, 32};

  private RoundTripBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    long measureMs = (args.length > 0 ? Long.parseLong(args[0]) : 5) * 1000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    long warmupMs = Math.max(1000, measureMs / 2);

    String external = System.getProperty(KafkaBrokerExtension.BOOTSTRAP_PROPERTY);
    LocalKafkaBroker broker = external == null ? LocalKafkaBroker.startEphemeral() : null;
    String bootstrap = external != null ? external : broker.bootstrapServers();
    System.out.printf("broker %s (%s), %d s per measurement, %d rounds, %d cores%n", bootstrap,
        external != null ? "external" : "in this JVM", measureMs / 1000, rounds, Runtime.getRuntime().availableProcessors());

    Vertx clientVertx = Vertx.vertx();
    LoadGenerator load = new LoadGenerator(clientVertx);
    try (BareEcho bare = new BareEcho(bootstrap); KitEcho kit = new KitEcho(bootstrap)) {
      List<String> table = new ArrayList<>();
      table.add(String.format("| concurrency | bare p50 | kit p50 | bare p99 | kit p99 | bare req/s | kit req/s | kit/bare req/s |"));
      table.add("|---|---|---|---|---|---|---|---|");
      for (int c : CONCURRENCY) {
        List<LoadGenerator.Result[]> pairs = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
          LoadGenerator.Result b = load.run(bare.port(), "/", c, warmupMs, measureMs);
          LoadGenerator.Result k = load.run(kit.port(), "/echo", c, warmupMs, measureMs);
          System.out.printf("c=%-2d round %d  bare p50 %.2f ms p99 %.2f ms %.0f req/s | kit p50 %.2f ms p99 %.2f ms %.0f req/s"
                  + " (failures %d/%d)%n", c, r + 1, b.p50Ms(), b.p99Ms(), b.perSecond(), k.p50Ms(), k.p99Ms(), k.perSecond(),
              b.failures(), k.failures());
          pairs.add(new LoadGenerator.Result[] {b, k});
        }
        pairs.sort(Comparator.comparingDouble(p -> p[1].perSecond() / p[0].perSecond()));
        LoadGenerator.Result[] median = pairs.get(pairs.size() / 2);
        LoadGenerator.Result b = median[0];
        LoadGenerator.Result k = median[1];
        table.add(String.format("| %d | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %,.0f | %,.0f | %.2f |",
            c, b.p50Ms(), k.p50Ms(), b.p99Ms(), k.p99Ms(), b.perSecond(), k.perSecond(), k.perSecond() / b.perSecond()));
      }
      System.out.println();
      table.forEach(System.out::println);
    } finally {
      LoadGenerator.await(clientVertx.close());
      if (broker != null) {
        broker.close();
      }
    }
    System.exit(0);
  }
}
