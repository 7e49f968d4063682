package io.convnet.kit.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kit.config.Settings;
import io.convnet.kit.launch.RunningService;
import io.convnet.kit.testing.Idle;
import io.convnet.kit.testing.SlowHeaderClients;
import io.convnet.kit.testing.TestServices;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Slow and idle clients do not keep connections: the header timeout (1 s here) and the keep-alive wait (2 s) close them. */
@ExtendWith(KafkaBrokerExtension.class)
class HttpServersTest {
  static final int HEADER_TIMEOUT_MS = 1000;
  static final int IDLE_TIMEOUT_MS = 2000;
  static RunningService service;

  @BeforeAll
  static void start() {
    service = TestServices.start(Idle.definition("http-timeouts", false),
        Map.of(Settings.HTTP_HEADER_TIMEOUT_MS.name(), String.valueOf(HEADER_TIMEOUT_MS),
            Settings.HTTP_IDLE_TIMEOUT_MS.name(), String.valueOf(IDLE_TIMEOUT_MS)));
  }

  @AfterAll
  static void stop() {
    TestServices.stop(service);
  }

  @Test
  void a100SlowHeaderConnectionsAreClosedAfterTheHeaderTimeoutWhileOthersAreServed() throws Exception {
    long t0 = System.nanoTime();
    try (SlowHeaderClients slow = new SlowHeaderClients(service.httpPort(), 100, "GET /health/live HTTP/1.1")) {
      int open = slow.trickleUntilClosed(10_000,
          () -> assertThat(TestServices.get(service.httpPort(), "/health/live").statusCode()).isEqualTo(200));
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertThat(open).as("slow-header connections still open after " + ms + " ms").isZero();
      assertThat(ms).isBetween((long) HEADER_TIMEOUT_MS, HEADER_TIMEOUT_MS + 5_000L);
      System.out.printf("100 slow-header connections closed within %d ms (header timeout %d ms)%n", ms,
          HEADER_TIMEOUT_MS);
    }
  }

  @Test
  void aKeepAliveConnectionWaitsLongerThanTheHeaderTimeoutForTheNextRequestButNotForever() throws Exception {
    try (Socket s = new Socket("127.0.0.1", service.httpPort())) {
      OutputStream out = s.getOutputStream();
      s.setSoTimeout(5000);
      for (int i = 0; i < 3; i++) {
        if (i > 0) {
          Thread.sleep(HEADER_TIMEOUT_MS + 300);  // past the first request's limit, within the keep-alive wait
        }
        out.write("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        String head = readHead(s.getInputStream());
        assertThat(head).as("request " + i).startsWith("HTTP/1.1 200");
        int length = Integer.parseInt(head.lines().filter(l -> l.toLowerCase().startsWith("content-length:"))
            .findFirst().orElseThrow().substring(15).trim());
        s.getInputStream().readNBytes(length);
      }
      // the next request's headers trickle: closed once the keep-alive wait is over
      long t0 = System.nanoTime();
      out.write("GET /health/live HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
      s.setSoTimeout(200);
      boolean closed = false;
      while (!closed && System.nanoTime() - t0 < (IDLE_TIMEOUT_MS + 5000) * 1_000_000L) {
        try {
          out.write("X-Slow: 1\r\n".getBytes(StandardCharsets.US_ASCII));
          closed = s.getInputStream().read() < 0;
        } catch (java.net.SocketTimeoutException stillOpen) {
          // keep trickling
        } catch (IOException closedOrReset) {
          closed = true;
        }
      }
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertThat(closed).as("closed within " + ms + " ms").isTrue();
      assertThat(ms).isBetween(IDLE_TIMEOUT_MS - 500L, IDLE_TIMEOUT_MS + 5000L);
    }
  }

  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.append((char) b);
    }
    return head.toString();
  }
}
