package io.convnet.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.convnet.kafka.local.LocalKafkaBroker;
import io.convnet.util.Machine;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./run.sh} as an operator runs it, on free ports with the broker, the gateway and two workers
 * ({@code CONVNET_RUN_SERVICES}, so that it fits CI time): a worker killed with SIGKILL is reported,
 * restarted and listed by {@code GET /v1/cluster} again; so is the broker, and the services reconnect
 * to it by themselves; SIGTERM then stops everything in order, restarting nothing and leaving no JVM
 * behind. Prints its figures: seconds from each kill to the report and to ready again.
 */
class RunShRestartE2ETest {
  private static final Duration START = Duration.ofSeconds(240);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final Pattern STARTED = Pattern.compile("(?:starting|restarted) (\\S+) .*?\\(pid (\\d+)");
  private static final Pattern KAFKA = Pattern.compile("starting Kafka on \\S+ \\(pid (\\d+)");

  @TempDir
  Path tmp;

  @Test
  void aKilledWorkerOrBrokerIsReportedAndRestartedAndSigtermStopsEverything() throws Exception {
    Path repo = Path.of("").toAbsolutePath().getParent();
    Path runDir = Files.createDirectories(tmp.resolve("run"));
    // The outer build has packaged every module: a fresh build stamp, so run.sh starts at once.
    Files.writeString(runDir.resolve(".built"), "");
    int gatewayPort = LocalKafkaBroker.freePort();
    List<Integer> workerPorts = List.of(LocalKafkaBroker.freePort(), LocalKafkaBroker.freePort());
    Path output = tmp.resolve("run.sh.out");
    ProcessBuilder builder = new ProcessBuilder("bash", repo.resolve("run.sh").toString())
        .directory(repo.toFile()).redirectErrorStream(true).redirectOutput(output.toFile());
    Map<String, String> env = builder.environment();
    env.put("CONVNET_RUN_DIR", runDir.toString());
    env.put("CONVNET_MODEL_STORE", Files.createDirectories(tmp.resolve("models")).toString());
    env.put("CONVNET_DATA_ROOT", Files.createDirectories(tmp.resolve("data")).toString());
    env.put("CONVNET_KAFKA_PORT", String.valueOf(freePortPair()));
    env.put("CONVNET_GATEWAY_PORT", String.valueOf(gatewayPort));
    env.put("CONVNET_WORKER_PORTS", workerPorts.get(0) + " " + workerPorts.get(1));
    env.put("CONVNET_RUN_SERVICES", "gateway inference-worker");
    env.put("CONVNET_FIRST_START_TRAINING", "0");
    env.put("CONVNET_SERVICE_JAVA_OPTS", "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
    env.put("CONVNET_KAFKA_JAVA_OPTS", "-Xmx384m -XX:+UseSerialGC");
    env.put("CONVNET_SHUTDOWN_GRACE_MS", "2000");
    String javacpp = System.getProperty("org.bytedeco.javacpp.cachedir");
    if (javacpp != null) {
      env.put("CONVNET_JAVACPP_CACHE", javacpp);
    }
    env.remove("CONVNET_SEED_BUNDLE");
    env.remove("CONVNET_RESTART");

    Process run = builder.start();
    Set<Long> everyPid = new TreeSet<>();
    try {
      awaitOutput(run, output, "convnet-cluster is up", START);
      Map<String, Long> pids = pids(output);
      everyPid.addAll(pids.values());
      String worker = pids.keySet().stream().filter(n -> n.startsWith("inference-worker-") && n.endsWith("-1"))
          .findFirst().orElseThrow();
      String otherWorker = worker.substring(0, worker.length() - 1) + "2";
      String gateway = pids.keySet().stream().filter(n -> n.startsWith("gateway-")).findFirst().orElseThrow();
      assertThat(instances(gatewayPort)).containsExactlyInAnyOrder(gateway, worker, otherWorker);

      // a worker
      long oldWorker = pids.get(worker);
      long killed = System.nanoTime();
      ProcessHandle.of(oldWorker).orElseThrow().destroyForcibly();
      awaitOutput(run, output, worker + " (pid " + oldWorker + ") died: killed by SIGKILL (exit status 137)",
          Duration.ofSeconds(5));
      double reported = seconds(killed);
      awaitOutput(run, output, worker + " is ready again", Duration.ofSeconds(120));
      double ready = seconds(killed);
      long newWorker = pids(output).get(worker);
      everyPid.add(newWorker);
      assertThat(newWorker).isNotEqualTo(oldWorker);
      assertThat(ProcessHandle.of(newWorker)).hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());
      awaitInstances(gatewayPort, Set.of(gateway, worker, otherWorker), Duration.ofSeconds(30));
      double listed = seconds(killed);
      assertThat(Files.readString(output)).contains("log " + runDir.resolve("logs").resolve(worker + ".log"));

      // the broker: restarted with its data; the services reconnect by themselves
      long oldKafka = pids.get("kafka");
      killed = System.nanoTime();
      ProcessHandle.of(oldKafka).orElseThrow().destroyForcibly();
      awaitOutput(run, output, "kafka (pid " + oldKafka + ") died: killed by SIGKILL", Duration.ofSeconds(5));
      double kafkaReported = seconds(killed);
      awaitOutput(run, output, "kafka is ready again", Duration.ofSeconds(120));
      double kafkaReady = seconds(killed);
      everyPid.add(pids(output).get("kafka"));
      awaitInstances(gatewayPort, Set.of(gateway, worker, otherWorker), Duration.ofSeconds(90));
      double kafkaListed = seconds(killed);
      System.out.printf(Locale.ROOT, "run.sh restart (%s): worker SIGKILL -> reported %.1f s, ready again %.1f s, "
          + "listed by /v1/cluster %.1f s; broker SIGKILL -> reported %.1f s, ready again %.1f s, all instances "
          + "listed %.1f s%n", cpu(), reported, ready, listed, kafkaReported, kafkaReady, kafkaListed);

      // SIGTERM: services, then the broker; nothing restarted, nothing left
      everyPid.addAll(pids(output).values());
      run.destroy();
      assertThat(run.waitFor(120, TimeUnit.SECONDS)).as("run.sh stops within 120 s").isTrue();
      assertThat(run.exitValue()).isZero();
      String text = Files.readString(output);
      String stop = text.substring(text.indexOf("stopping services"));
      assertThat(stop).contains("stopping the Kafka broker", "stopped").doesNotContain("restart", "died");
      for (long pid : everyPid) {
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).as("process %d after run.sh stopped", pid)
            .isEmpty();
      }
    } finally {
      if (run.isAlive()) {
        run.destroy();
        run.waitFor(60, TimeUnit.SECONDS);
      }
      everyPid.addAll(pids(output).values());
      everyPid.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }
  }

  /** A free port whose next one (the KRaft controller's) is free too. */
  private static int freePortPair() throws IOException {
    for (int i = 0; i < 20; i++) {
      int port = LocalKafkaBroker.freePort();
      try (var next = new java.net.ServerSocket(port + 1)) {
        return port;
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IOException("no two free ports in a row");
  }

  /** The newest pid of every process run.sh has started (by instance name; the broker as "kafka"). */
  private static Map<String, Long> pids(Path output) throws IOException {
    Map<String, Long> pids = new LinkedHashMap<>();
    if (!Files.exists(output)) {
      return pids;
    }
    for (String line : Files.readAllLines(output)) {
      Matcher kafka = KAFKA.matcher(line);
      Matcher m = STARTED.matcher(line);
      if (kafka.find()) {
        pids.put("kafka", Long.parseLong(kafka.group(1)));
      } else if (m.find()) {
        pids.put(m.group(1), Long.parseLong(m.group(2)));
      }
    }
    return pids;
  }

  private static void awaitOutput(Process run, Path output, String text, Duration timeout) throws Exception {
    long until = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < until) {
      if (Files.readString(output).contains(text)) {
        return;
      }
      if (!run.isAlive()) {
        throw new AssertionError("run.sh exited (" + run.exitValue() + ") before printing '" + text + "':\n"
            + Files.readString(output));
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no '" + text + "' within " + timeout + ":\n" + Files.readString(output));
  }

  private static List<String> instances(int gatewayPort) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort
          + "/v1/cluster")).timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
      List<String> ids = new ArrayList<>();
      if (r.statusCode() == 200) {
        new JsonObject(r.body()).getJsonArray("instances").forEach(i -> ids.add(((JsonObject) i).getString("instanceId")));
      }
      return ids;
    } catch (IOException e) {
      return List.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    }
  }

  private static void awaitInstances(int gatewayPort, Set<String> expected, Duration timeout) throws Exception {
    long until = System.nanoTime() + timeout.toNanos();
    List<String> got = List.of();
    while (System.nanoTime() < until) {
      got = instances(gatewayPort);
      if (got.size() == expected.size() && expected.containsAll(got)) {
        return;
      }
      Thread.sleep(300);
    }
    throw new AssertionError("/v1/cluster lists " + got + ", not " + expected + " within " + timeout);
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  private static String cpu() {
    return Machine.cpu() + ", " + Runtime.getRuntime().availableProcessors() + " cores";
  }
}
