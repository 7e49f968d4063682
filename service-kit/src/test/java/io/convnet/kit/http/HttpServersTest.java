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

/** Slow and idle clients do not keep connections: the header timeout (1 s here) closes them. */
@ExtendWith(KafkaBrokerExtension.class)
class HttpServersTest {
  static final int HEADER_TIMEOUT_MS = 1000;
  static RunningService service;

  @BeforeAll
  static void start() {
    service = TestServices.start(Idle.definition("http-timeouts", false),
        Map.of(Settings.HTTP_HEADER_TIMEOUT_MS.name(), String.valueOf(HEADER_TIMEOUT_MS)));
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
  void aKeepAliveConnectionServesRequestsAndIsClosedOnceIdleForTheHeaderTimeout() throws Exception {
    try (Socket s = new Socket("127.0.0.1", service.httpPort())) {
      OutputStream out = s.getOutputStream();
      for (int i = 0; i < 3; i++) {  // requests within the timeout keep the connection
        out.write("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        s.setSoTimeout(5000);
        String head = readHead(s.getInputStream());
        assertThat(head).startsWith("HTTP/1.1 200");
        int length = Integer.parseInt(head.lines().filter(l -> l.toLowerCase().startsWith("content-length:"))
            .findFirst().orElseThrow().substring(15).trim());
        s.getInputStream().readNBytes(length);
        Thread.sleep(HEADER_TIMEOUT_MS / 2);
      }
      s.setSoTimeout(HEADER_TIMEOUT_MS + 3000);
      assertThat(s.getInputStream().read()).as("closed after the idle wait").isEqualTo(-1);
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
