package io.convnet.e2e;

import io.convnet.gateway.GatewayMain;
import io.convnet.image.TestImages;
import io.convnet.worker.InferenceWorkerMain;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A fault scenario: a gateway and two inference workers, each its own JVM as run.sh starts them,
 * serve classify calls from {@code concurrency} callers; one worker is SIGKILLed (no goodbye to
 * its consumer group, its partitions stay its own until the session timeout) and the calls go
 * on past the moment the group moves its partitions.
 */
public final class WorkerKill {
  static final Duration START = Duration.ofSeconds(180);

  /**
   * What the callers saw from {@code before} the kill until the end, in milliseconds; {@code resent}
   * and {@code duplicates} are the gateway's counts of re-sent requests and dropped second replies.
   */
  public record Figures(int concurrency, int calls, int failed, double p50Ms, double p99Ms, double maxMs,
                        double maxAfterKillMs, int callsAfterKill, double resent, double duplicates) {
    @Override
    public String toString() {
      return String.format("worker kill -9 at concurrency %d: %d calls, %d failed; p50 %.1f ms, p99 %.1f ms, slowest "
              + "%.0f ms (calls sent after the kill: %d, slowest %.0f ms); the gateway re-sent %.0f, dropped %.0f "
              + "duplicate replies", concurrency, calls, failed, p50Ms, p99Ms, maxMs, callsAfterKill, maxAfterKillMs,
          resent, duplicates);
    }
  }

  private WorkerKill() {
  }

  /** Runs the scenario against the broker at {@code bootstrap}; models under {@code dir}. */
  public static Figures run(Path dir, String bootstrap, int concurrency, Duration before, Duration after)
      throws Exception {
    Path store = TinyStore.catsVsDogs(dir);
    Map<String, String> env = Map.of(
        "CONVNET_MODEL_STORE", store.toString(),
        "CONVNET_MODEL_POLL_MS", "0",
        "CONVNET_SCORE_ENABLED", "false",
        "CONVNET_SHUTDOWN_GRACE_MS", "2000");
    try (ServiceProcess gateway = ServiceProcess.start(GatewayMain.class, "kill-gateway", bootstrap, env);
         ServiceProcess survivor = ServiceProcess.start(InferenceWorkerMain.class, "kill-worker-1", bootstrap, env);
         ServiceProcess victim = ServiceProcess.start(InferenceWorkerMain.class, "kill-worker-2", bootstrap, env)) {
      gateway.awaitReady(START);
      survivor.awaitReady(START);
      victim.awaitReady(START);
      HttpRequest classify = Timeline.post(gateway.port, "/v1/models/cats-vs-dogs/classify", "image/jpeg",
          TestImages.jpeg(TestImages.stripes(24, 1, 3)), Duration.ofSeconds(30));
      awaitAnswersFrom(classify, Set.of(survivor.instanceId, victim.instanceId), START);
      try (Timeline calls = new Timeline("classify", concurrency, Duration.ZERO, classify).start()) {
        Thread.sleep(2_000);  // warm
        long from = System.nanoTime();
        Thread.sleep(before.toMillis());
        long kill = System.nanoTime();
        victim.kill();
        Thread.sleep(after.toMillis());
        calls.close();
        List<Timeline.Call> measured = calls.sentBetween(from, Long.MAX_VALUE);
        List<Timeline.Call> afterKill = Timeline.where(measured, c -> c.sentNanos() - kill >= 0);
        String metrics = gateway.get("/metrics").body();
        return new Figures(concurrency, measured.size(), Timeline.where(measured, c -> c.status() != 200).size(),
            Timeline.percentile(measured, 0.5), Timeline.percentile(measured, 0.99), Timeline.max(measured),
            Timeline.max(afterKill), afterKill.size(), counter(metrics, "convnet_requests_resent_total"),
            counter(metrics, "convnet_replies_duplicate_total"));
      }
    }
  }

  /** Classifies until each of {@code workers} has answered once (both have the model loaded and partitions). */
  private static void awaitAnswersFrom(HttpRequest classify, Set<String> workers, Duration timeout) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    Set<String> answered = new HashSet<>();
    long until = System.nanoTime() + timeout.toNanos();
    while (!answered.containsAll(workers)) {
      if (System.nanoTime() > until) {
        throw new IllegalStateException("only " + answered + " answered classify within " + timeout);
      }
      HttpResponse<String> r = http.send(classify, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200) {
        answered.add(new JsonObject(r.body()).getString("worker"));
      } else {
        Thread.sleep(100);
      }
    }
  }

  /** The sum of a Prometheus counter's samples (all tags). */
  static double counter(String metrics, String name) {
    return metrics.lines().filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }
}
