package io.convnet.e2e;

import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kafka.local.LocalKafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A service started as its own JVM, as run.sh starts it, with the test's class path (which
 * holds every service module) against the test broker. Output goes to
 * {@code target/e2e-logs/<instance>.log}.
 */
final class ServiceProcess implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  final String instanceId;
  final int port;
  final Process process;
  final Path log;

  /** Small service JVMs: many start in one test run on a shared machine. */
  static final List<String> TEST_JVM_OPTIONS = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

  private ServiceProcess(String instanceId, int port, Process process, Path log) {
    this.instanceId = instanceId;
    this.port = port;
    this.process = process;
    this.log = log;
  }

  static ServiceProcess start(Class<?> main, String instanceId, Map<String, String> env) {
    return start(main, instanceId, env, TEST_JVM_OPTIONS);
  }

  /** With these JVM options instead of the tests' small ones (run.sh's {@code -Xmx512m}, say). */
  static ServiceProcess start(Class<?> main, String instanceId, Map<String, String> env, List<String> jvmOptions) {
    return start(main, instanceId, KafkaBrokerExtension.bootstrapServers(), env, jvmOptions);
  }

  /** With the broker at {@code bootstrap}: programs that run outside JUnit (fault benchmarks) bring their own. */
  static ServiceProcess start(Class<?> main, String instanceId, String bootstrap, Map<String, String> env) {
    return start(main, instanceId, bootstrap, env, TEST_JVM_OPTIONS);
  }

  private static ServiceProcess start(Class<?> main, String instanceId, String bootstrap, Map<String, String> env,
                                      List<String> jvmOptions) {
    try {
      int port = LocalKafkaBroker.freePort();
      Path logDir = Files.createDirectories(Path.of("target", "e2e-logs"));
      Path log = logDir.resolve(instanceId + ".log");
      String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
      List<String> command = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString()));
      command.addAll(jvmOptions);
      command.add("-Dvertx.cacheDirBase=target/vertx-cache");
      // TensorFlow's natives: unpacked once into the cache the build uses, not again per process
      String javacppCache = System.getProperty("org.bytedeco.javacpp.cachedir");
      if (javacppCache != null) {
        command.add("-Dorg.bytedeco.javacpp.cachedir=" + javacppCache);
      }
      command.addAll(List.of("-cp", classPath, main.getName()));
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().put("CONVNET_KAFKA_BOOTSTRAP_SERVERS", bootstrap);
      builder.environment().put("CONVNET_HTTP_HOST", "127.0.0.1");
      builder.environment().put("CONVNET_HTTP_PORT", String.valueOf(port));
      builder.environment().put("CONVNET_GRPC_PORT", "0");  // the gateway's gRPC API: a free port, never 8500
      builder.environment().put("CONVNET_INSTANCE_ID", instanceId);
      builder.environment().putAll(env);
      return new ServiceProcess(instanceId, port, builder.start(), log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void awaitReady(Duration timeout) throws Exception {
    long until = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < until) {
      if (!process.isAlive()) {
        throw new IllegalStateException(instanceId + " exited with " + process.exitValue() + ":\n" + logTail());
      }
      try {
        if (get("/health/ready").statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(instanceId + " not ready within " + timeout + ":\n" + logTail());
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** SIGKILL: no shutdown hook, no goodbye to the consumer groups, open transactions left open. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** SIGTERM, then the exit status (or -1 if it did not exit within {@code timeout}). */
  int terminate(Duration timeout) throws InterruptedException {
    process.destroy();  // SIGTERM on Linux
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
  }

  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}
