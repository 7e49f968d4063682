package io.convnet.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.convnet.gateway.GatewayMain;
import io.convnet.image.TestImages;
import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kit.config.Settings;
import io.convnet.kit.launch.RunningService;
import io.convnet.kit.testing.SlowHeaderClients;
import io.convnet.kit.testing.TestServices;
import io.convnet.testing.TinyBundles;
import io.convnet.util.Machine;
import io.convnet.worker.InferenceWorkerMain;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Heavy uploads as a fault: the gateway as run.sh starts it (its own JVM, {@code -Xmx512m},
 * default limits) and a real worker. 50 clients upload JSON bodies at the size limit (24 MiB - 64
 * KiB, one 16 MiB image in base64) slowly, over and over, while ordinary classify requests go on
 * beside them: no {@code OutOfMemoryError}, no 5xx but 503, every ordinary request answered (its
 * p99 printed, bounded loosely). Then 100 connections trickle their headers and are closed after
 * the header timeout.
 */
@ExtendWith(KafkaBrokerExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UploadFaultE2ETest {
  static final int UPLOADERS = 50;
  static final long PRESSURE_MS = Long.getLong("convnet.uploadFault.seconds", 20) * 1000;
  static final long BASELINE_MS = 6000;
  /** Each slow client's upload rate. */
  static final int BYTES_PER_SECOND = 2 << 20;
  static final int HEADER_TIMEOUT_MS = 2000;
  static final String CLASSIFY = "/v1/models/cats-vs-dogs:classify";
  @TempDir
  static Path tmp;
  static RunningService worker;
  static ServiceProcess gateway;
  static byte[] photo;

  @BeforeAll
  static void start() throws Exception {
    Path store = tmp.resolve("models");
    TinyBundles.untrained(store, "cats-vs-dogs");
    photo = TestImages.photoOrStandIn("validation/dog/dog.2000.jpg");
    worker = TestServices.start(InferenceWorkerMain.DEFINITION, Map.of("CONVNET_MODEL_STORE", store.toString(),
        "CONVNET_SCORE_ENABLED", "false"));
    gateway = ServiceProcess.start(GatewayMain.class, "gateway-uploads", Map.of(
        Settings.HTTP_HEADER_TIMEOUT_MS.name(), String.valueOf(HEADER_TIMEOUT_MS)), List.of("-Xmx512m"));
    gateway.awaitReady(Duration.ofSeconds(120));
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
    TestServices.stop(worker);
  }

  /** A JSON body of exactly the gateway's largest: one 16 MiB "image" (a JPEG's first bytes, then noise) in base64. */
  static byte[] bodyAtTheLimit() {
    int maxBody = Integer.parseInt(Settings.MAX_MESSAGE_BYTES.defaultValue()) - 64 * 1024;
    byte[] image = new byte[Integer.parseInt(Settings.MAX_IMAGE_BYTES.defaultValue())];
    new Random(1).nextBytes(image);
    image[0] = (byte) 0xff;
    image[1] = (byte) 0xd8;
    image[2] = (byte) 0xff;
    byte[] json = ("{\"images\": [\"" + Base64.getEncoder().encodeToString(image) + "\"]}").getBytes(StandardCharsets.US_ASCII);
    byte[] body = new byte[maxBody];
    java.util.Arrays.fill(body, (byte) ' ');  // JSON may end in white space
    System.arraycopy(json, 0, body, 0, json.length);
    return body;
  }

  @Test
  @Order(1)
  void fiftySlowUploadsAtTheSizeLimitNeitherExhaustTheHeapNorStallOrdinaryRequests() throws Exception {
    byte[] body = bodyAtTheLimit();
    Ordinary alone = ordinaryRequests(System.currentTimeMillis() + BASELINE_MS);

    Map<String, AtomicLong> uploads = new ConcurrentHashMap<>();
    long until = System.currentTimeMillis() + PRESSURE_MS;
    List<Thread> uploaders = new ArrayList<>();
    for (int i = 0; i < UPLOADERS; i++) {
      uploaders.add(started("slow-upload-" + i, () -> {
        while (System.currentTimeMillis() < until) {
          String outcome = slowUpload(body, until);
          uploads.computeIfAbsent(outcome, k -> new AtomicLong()).incrementAndGet();
          if (outcome.startsWith("503")) {
            sleep(2000);  // Retry-After
          }
        }
      }));
    }
    long[] peaks = new long[2];  // heap used, body bytes held
    Thread sampler = started("metrics", () -> {
      while (System.currentTimeMillis() < until) {
        try {
          String metrics = gateway.get("/metrics").body();
          peaks[0] = Math.max(peaks[0], (long) sum(metrics, "jvm_memory_used_bytes{area=\"heap\""));
          peaks[1] = Math.max(peaks[1], (long) sum(metrics, "convnet_request_body_bytes_held"));
        } catch (IOException | InterruptedException e) {
          return;
        }
        sleep(250);
      }
    });
    Ordinary beside = ordinaryRequests(until);
    sampler.join();
    for (Thread t : uploaders) {
      t.join(120_000);
    }

    String log = Files.readString(gateway.log);
    System.out.printf("%d slow uploads of %,d bytes at %,d B/s for %d s, gateway -Xmx512m (%s, %d cores, load %s):%n"
            + "  uploads: %s%n  ordinary classify alone: %s%n  ordinary classify beside the uploads: %s%n"
            + "  gateway heap used at most %,d bytes; request body bytes held at most %,d%n",
        UPLOADERS, body.length, BYTES_PER_SECOND, PRESSURE_MS / 1000, Machine.cpu(), Runtime.getRuntime().availableProcessors(),
        Files.readString(Path.of("/proc/loadavg")).split(" ")[0], new TreeMap<>(uploads), alone, beside, peaks[0],
        peaks[1]);

    assertThat(log).doesNotContain("OutOfMemoryError");
    assertThat(gateway.process.isAlive()).isTrue();
    assertThat(gateway.get("/health/live").statusCode()).isEqualTo(200);
    assertThat(uploads.keySet()).as("upload outcomes: refused with 503 before the upload, or answered")
        .allMatch(k -> k.startsWith("503") || k.startsWith("4")).anyMatch(k -> k.startsWith("503"))
        .anyMatch(k -> k.startsWith("4"));
    assertThat(alone.outcomes().keySet()).containsExactly("200");
    assertThat(beside.outcomes().keySet()).as("ordinary requests beside the uploads").containsExactly("200");
    assertThat(beside.p99()).as("ordinary classify p99 beside the uploads, ms (alone: " + alone.p99() + ")")
        .isLessThan(Math.max(3000, 3 * alone.p99()));
  }

  /** Ordinary classify requests, two at a time, until {@code until}: what came back and how fast. */
  record Ordinary(Map<String, Long> outcomes, List<Long> ms) {
    long p50() {
      return ms.isEmpty() ? -1 : ms.get(ms.size() / 2);
    }

    long p99() {
      return ms.isEmpty() ? -1 : ms.get(Math.min(ms.size() - 1, (int) Math.ceil(ms.size() * 0.99) - 1));
    }

    @Override
    public String toString() {
      return outcomes + ", p50 " + p50() + " ms, p99 " + p99() + " ms over " + ms.size() + " requests";
    }
  }

  static Ordinary ordinaryRequests(long until) throws InterruptedException {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    Map<String, Long> outcomes = new ConcurrentHashMap<>();
    List<Long> ms = Collections.synchronizedList(new ArrayList<>());
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      threads.add(started("ordinary-" + i, () -> {
        while (System.currentTimeMillis() < until) {
          long t0 = System.nanoTime();
          String outcome;
          try {
            outcome = String.valueOf(client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port
                    + CLASSIFY)).timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(photo)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
          } catch (IOException | InterruptedException e) {
            outcome = e.getClass().getSimpleName() + ": " + e.getMessage();
          }
          ms.add((System.nanoTime() - t0) / 1_000_000);
          outcomes.merge(outcome, 1L, Long::sum);
          sleep(50);
        }
      }));
    }
    for (Thread t : threads) {
      t.join();
    }
    List<Long> sorted = new ArrayList<>(ms);
    Collections.sort(sorted);
    return new Ordinary(new TreeMap<>(outcomes), sorted);
  }

  @Test
  @Order(2)
  void aHundredSlowHeaderConnectionsAreClosedAfterTheHeaderTimeout() throws Exception {
    long t0 = System.nanoTime();
    try (SlowHeaderClients slow = new SlowHeaderClients(gateway.port, 100, "POST " + CLASSIFY + " HTTP/1.1")) {
      int open = slow.trickleUntilClosed(HEADER_TIMEOUT_MS + 10_000, () -> { });
      long ms = (System.nanoTime() - t0) / 1_000_000;
      System.out.printf("100 slow-header connections closed within %d ms (header timeout %d ms)%n", ms, HEADER_TIMEOUT_MS);
      assertThat(open).as("still open after " + ms + " ms").isZero();
      assertThat(ms).isBetween((long) HEADER_TIMEOUT_MS, HEADER_TIMEOUT_MS + 5_000L);
      assertThat(gateway.get("/health/live").statusCode()).isEqualTo(200);
    }
  }

  /** One slow client: the head, then the body at its rate; an early answer ends it. Its status, or what went wrong. */
  static String slowUpload(byte[] body, long until) {
    try (Socket socket = new Socket("127.0.0.1", gateway.port)) {
      socket.setSoTimeout(60_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write(("POST " + CLASSIFY + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
          + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      int chunk = 64 * 1024;
      long start = System.nanoTime();
      for (int sent = 0; sent < body.length; sent += chunk) {
        if (in.available() > 0) {
          return status(in) + " early";
        }
        out.write(body, sent, Math.min(chunk, body.length - sent));
        long due = start + (long) ((sent + chunk) * 1e9 / BYTES_PER_SECOND);
        sleep(Math.max(0, (due - System.nanoTime()) / 1_000_000));
        if (System.currentTimeMillis() > until + 60_000) {
          return "gave up";
        }
      }
      return status(in);
    } catch (IOException e) {
      return e.getClass().getSimpleName();
    }
  }

  static String status(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int b; (b = in.read()) >= 0 && b != '\n'; ) {
      line.append((char) b);
    }
    String[] parts = line.toString().split(" ");
    return parts.length > 1 ? parts[1] : "no answer";
  }

  static double sum(String metrics, String prefix) {
    return metrics.lines().filter(l -> l.startsWith(prefix))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  static Thread started(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.start();
    return t;
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
