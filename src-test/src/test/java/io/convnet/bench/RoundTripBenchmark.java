package io.convnet.bench;

import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kafka.local.LocalKafkaBroker;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;

/**
 * HTTP -> gateway -> Kafka -> service -> Kafka -> gateway -> HTTP round trips, a bare echo
 * and the service kit measured side by side against one broker. Per concurrency level both
 * are warmed up, then measured in alternating short windows (bare, kit, kit, bare, ...), and
 * each system's windows are pooled: slow drifts in machine load hit both alike. Prints p50,
 * p99, requests/s and the kit/bare ratios.
 *
 * <p>Run with {@code ./bench.sh [window-seconds] [windows]}; {@code -Dconvnet.kafka.bootstrap}
 * uses an external broker instead of one in this JVM.
 */
public final class RoundTripBenchmark {
  private static final int[] CONCURRENCY = {1, 8, 32};

  private RoundTripBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    long windowMs = (long) ((args.length > 0 ? Double.parseDouble(args[0]) : 1.5) * 1000);
    int windows = args.length > 1 ? Integer.parseInt(args[1]) : 10;

    String external = System.getProperty(KafkaBrokerExtension.BOOTSTRAP_PROPERTY);
    LocalKafkaBroker broker = external == null ? LocalKafkaBroker.startEphemeral() : null;
    String bootstrap = external != null ? external : broker.bootstrapServers();
    System.out.printf("broker %s (%s), %d windows of %d ms per system and level, %d cores%n", bootstrap,
        external != null ? "external" : "in this JVM", windows, windowMs, Runtime.getRuntime().availableProcessors());

    Vertx clientVertx = Vertx.vertx();
    LoadGenerator load = new LoadGenerator(clientVertx);
    try (BareEcho bare = new BareEcho(bootstrap); KitEcho kit = new KitEcho(bootstrap)) {
      List<String> table = new ArrayList<>();
      table.add("| concurrency | bare p50 | kit p50 | bare p99 | kit p99 | bare req/s | kit req/s | kit/bare p50 | kit/bare req/s |");
      table.add("|---|---|---|---|---|---|---|---|---|");
      for (int c : CONCURRENCY) {
        load.warmUp(bare.port(), "/", c, 3000);
        load.warmUp(kit.port(), "/echo", c, 3000);
        List<LoadGenerator.Sample> bareSamples = new ArrayList<>();
        List<LoadGenerator.Sample> kitSamples = new ArrayList<>();
        for (int w = 0; w < windows; w++) {
          boolean bareFirst = w % 2 == 0;
          if (bareFirst) {
            bareSamples.add(load.measure(bare.port(), "/", c, windowMs));
          }
          kitSamples.add(load.measure(kit.port(), "/echo", c, windowMs));
          if (!bareFirst) {
            bareSamples.add(load.measure(bare.port(), "/", c, windowMs));
          }
        }
        LoadGenerator.Result b = LoadGenerator.Result.of(bareSamples);
        LoadGenerator.Result k = LoadGenerator.Result.of(kitSamples);
        System.out.printf("c=%-2d bare p50 %.2f ms p99 %.2f ms %.0f req/s | kit p50 %.2f ms p99 %.2f ms %.0f req/s"
            + " (failures %d/%d)%n", c, b.p50Ms(), b.p99Ms(), b.perSecond(), k.p50Ms(), k.p99Ms(), k.perSecond(),
            b.failures(), k.failures());
        table.add(String.format("| %d | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %,.0f | %,.0f | %.2f | %.2f |",
            c, b.p50Ms(), k.p50Ms(), b.p99Ms(), k.p99Ms(), b.perSecond(), k.perSecond(),
            k.p50Ms() / b.p50Ms(), k.perSecond() / b.perSecond()));
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
