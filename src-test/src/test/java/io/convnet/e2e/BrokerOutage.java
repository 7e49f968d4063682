package io.convnet.e2e;

import io.convnet.gateway.GatewayMain;
import io.convnet.kafka.local.LocalKafkaBroker;
import io.convnet.kit.config.KitConfig;
import io.convnet.kit.config.Settings;
import io.convnet.kit.launch.RunningService;
import io.convnet.kit.launch.ServiceDefinition;
import io.convnet.kit.launch.ServiceLauncher;
import io.convnet.kit.testing.EchoWorker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A fault scenario: the Kafka broker stops for a while under light load and comes back on the
 * same port. A gateway and a stand-in worker (service kit's {@link EchoWorker}) run in this JVM
 * against a broker of their own; {@code /health/live} is probed every 20 ms, {@code /health/ready}
 * every 100 ms, and two callers classify ten times a second each throughout.
 */
public final class BrokerOutage {
  static final byte[] JPEG = {(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xe0, 0, 0x10, 'J', 'F', 'I', 'F', 0};
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
  static final Duration WARM_UP = Duration.ofSeconds(4);

  /**
   * What happened, in milliseconds.
   *
   * @param liveP99Ms         p99 of {@code /health/live} over the whole run (before, during, after)
   * @param liveP99DuringMs   p99 of {@code /health/live} while the broker was down (neither stopping nor starting:
   *                          this in-JVM broker's shutdown and start-up take the gateway's CPU, a real one's do not)
   * @param classifyOutage    classify calls sent while the broker was down (after its shutdown returned)
   * @param classify503       of those, how many got 503
   * @param classifyOutageMaxMs the slowest answer among calls sent from the stop to the broker's return
   * @param readyMaxMs        the slowest {@code /health/ready} answer over the whole run
   * @param readyDownAfterMs  from the stop until readiness first answered 503
   * @param recoveredAfterMs  from the broker's return (its start-up done) until the first answer of the
   *                          unbroken run of successful classify calls that lasts to the end
   */
  public record Figures(int liveProbes, double liveP99Ms, double liveMaxMs, double liveP99BeforeMs,
                        double liveP99DuringMs, double liveP99AfterMs, int classifyOutage, int classify503,
                        double classifyOutageMaxMs, int readyProbes, double readyMaxMs, double readyMaxDuringMs,
                        long readyDownAfterMs,
                        long recoveredAfterMs, long brokerStopMs, long brokerStartMs, int classifyCalls) {
    @Override
    public String toString() {
      return String.format("broker outage: /health/live p99 %.1f ms (max %.1f ms, %d probes; p99 before the stop "
              + "%.1f ms, while down %.1f ms, after the return %.1f ms); classify while down: %d of %d answered 503, "
              + "slowest answer from the stop to the return %.0f ms; /health/ready slowest %.0f ms (%d probes; from the "
              + "stop to the return %.0f ms), 503 %d ms after the stop; full recovery %d ms after the broker was back "
              + "(stop took %d ms, restart %d ms; %d classify calls in all)", liveP99Ms, liveMaxMs, liveProbes,
          liveP99BeforeMs, liveP99DuringMs, liveP99AfterMs, classify503, classifyOutage, classifyOutageMaxMs,
          readyMaxMs, readyProbes, readyMaxDuringMs, readyDownAfterMs, recoveredAfterMs, brokerStopMs, brokerStartMs,
          classifyCalls);
    }
  }

  private BrokerOutage() {
  }

  /** Runs the scenario with a broker keeping its data under {@code dir}. */
  public static Figures run(Path dir, Duration outage) throws Exception {
    int port = LocalKafkaBroker.freePort();
    int controllerPort = LocalKafkaBroker.freePort();
    Path data = dir.resolve("kafka");
    LocalKafkaBroker broker = LocalKafkaBroker.start(data, port, controllerPort, false);
    RunningService worker = null;
    RunningService gateway = null;
    try {
      worker = start(EchoWorker.definition("outage-worker"), broker.bootstrapServers());
      gateway = start(GatewayMain.DEFINITION, broker.bootstrapServers());
      int http = gateway.httpPort();
      try (Timeline live = new Timeline("live", 1, Duration.ofMillis(20), Timeline.get(http, "/health/live", CALL_TIMEOUT));
           Timeline ready = new Timeline("ready", 1, Duration.ofMillis(100), Timeline.get(http, "/health/ready", CALL_TIMEOUT));
           Timeline classify = new Timeline("classify", 2, Duration.ofMillis(100),
               Timeline.post(http, "/v1/models/echo/classify", "image/jpeg", JPEG, CALL_TIMEOUT))) {
        live.start();
        ready.start();
        classify.start();
        Thread.sleep(WARM_UP.toMillis());

        long stop = System.nanoTime();
        broker.close();
        long down = System.nanoTime();
        Thread.sleep(outage.toMillis());
        long restart = System.nanoTime();
        broker = LocalKafkaBroker.start(data, port, controllerPort, false);
        long back = System.nanoTime();
        awaitRecovery(classify, back, Duration.ofSeconds(60));
        Thread.sleep(3_000);
        live.close();
        ready.close();
        classify.close();
        return figures(live.calls(), ready.calls(), classify.calls(), stop, down, restart, back);
      }
    } finally {
      for (RunningService s : new RunningService[] {gateway, worker}) {
        if (s != null) {
          s.close(Duration.ofSeconds(2)).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
      }
      broker.close();
    }
  }

  private static RunningService start(ServiceDefinition definition, String bootstrap) throws Exception {
    KitConfig config = new KitConfig(definition.name(), 0, Map.of(
        Settings.KAFKA_BOOTSTRAP_SERVERS.name(), bootstrap,
        Settings.HTTP_HOST.name(), "127.0.0.1",
        Settings.HTTP_PORT.name(), "0",
        Settings.INSTANCE_ID.name(), definition.name() + "-outage",
        Settings.SHUTDOWN_GRACE_MS.name(), "2000"));
    return ServiceLauncher.start(definition, config).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }

  private static void awaitRecovery(Timeline classify, long back, Duration timeout) throws InterruptedException {
    long until = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < until) {
      if (!Timeline.where(classify.sentBetween(back, System.nanoTime()), c -> c.status() == 200).isEmpty()) {
        return;
      }
      Thread.sleep(100);
    }
  }

  private static Figures figures(List<Timeline.Call> live, List<Timeline.Call> ready, List<Timeline.Call> classify,
                                 long stop, long down, long restart, long back) {
    List<Timeline.Call> duringOutage = Timeline.where(classify,
        c -> c.sentNanos() - down >= 0 && c.sentNanos() - restart < 0);
    List<Timeline.Call> fromStopToBack = Timeline.where(classify, c -> c.sentNanos() - stop >= 0 && c.sentNanos() - back < 0);
    long readyDown = ready.stream().filter(c -> c.sentNanos() - stop >= 0 && c.status() == 503)
        .mapToLong(c -> c.sentNanos() + (long) (c.ms() * 1e6) - stop).min().orElse(-1_000_000) / 1_000_000;
    // the last call sent after the return that failed; recovery is the first success after it
    List<Timeline.Call> afterBack = Timeline.where(classify, c -> c.sentNanos() - back >= 0);
    long lastFailure = afterBack.stream().filter(c -> c.status() != 200).mapToLong(Timeline.Call::sentNanos)
        .max().orElse(back - 1);
    long recovered = afterBack.stream().filter(c -> c.sentNanos() - lastFailure > 0)
        .mapToLong(c -> c.sentNanos() + (long) (c.ms() * 1e6)).min().orElse(Long.MAX_VALUE);
    long warm = stop - WARM_UP.toNanos() / 2;  // the first half of the warm-up is JIT compilation, not the outage
    return new Figures(live.size(), Timeline.percentile(live, 0.99), Timeline.max(live),
        Timeline.percentile(Timeline.where(live, c -> c.sentNanos() - warm >= 0 && c.sentNanos() - stop < 0), 0.99),
        Timeline.percentile(Timeline.where(live, c -> c.sentNanos() - down >= 0 && c.sentNanos() - restart < 0), 0.99),
        Timeline.percentile(Timeline.where(live, c -> c.sentNanos() - back >= 0), 0.99), duringOutage.size(),
        (int) duringOutage.stream().filter(c -> c.status() == 503).count(), Timeline.max(fromStopToBack), ready.size(),
        Timeline.max(ready), Timeline.max(Timeline.where(ready, c -> c.sentNanos() - stop >= 0 && c.sentNanos() - back < 0)),
        readyDown, recovered == Long.MAX_VALUE ? -1 : (recovered - back) / 1_000_000,
        (down - stop) / 1_000_000, (back - restart) / 1_000_000, classify.size());
  }
}
