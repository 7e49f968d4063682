package io.convnet.kit.kafka;

import static io.convnet.kit.testing.TestServices.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.convnet.kafka.local.LocalKafkaBroker;
import io.convnet.kit.config.KitConfig;
import io.convnet.kit.config.Settings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

/**
 * Down is a broker that refuses connections (stopped); a broker that accepts but answers slowly
 * (a loaded machine) is asked again, never declared down.
 */
class KafkaWatchTest {

  @Test
  void aBrokerThatRefusesConnectionsIsDown() throws Exception {
    int nobody = LocalKafkaBroker.freePort();
    watch("127.0.0.1:" + nobody, watch -> {
      long t0 = System.nanoTime();
      while (watch.up() && System.nanoTime() - t0 < 10_000_000_000L) {
        sleep(10);
      }
      long ms = (System.nanoTime() - t0) / 1_000_000;
      // How fast is the fault benchmark's to show (a timed assertion fails on a loaded machine): printed here.
      System.out.printf("a broker refusing connections counted as down after %d ms%n", ms);
      assertThat(watch.up()).as("up after %d ms", ms).isFalse();
      assertThat(watch.downReason()).startsWith("unreachable at 127.0.0.1:" + nobody);
      assertThat(await(watch.check().map("ready").otherwise(Throwable::getMessage))).isEqualTo(watch.downReason());
    });
  }

  @Test
  void aBrokerThatAcceptsButDoesNotAnswerIsNotDown() throws Exception {
    // The kernel accepts connections into the backlog; nothing ever answers on them.
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      watch("127.0.0.1:" + silent.getLocalPort(), watch -> {
        sleep(3_000);  // six probe timeouts
        assertThat(watch.up()).as("up").isTrue();
        assertThat(watch.downReason()).isNull();
      });
    }
  }

  @Test
  void bootstrapAddressesAreParsed() {
    assertThat(KafkaWatch.addresses("a:9092, 10.0.0.1:9093,[::1]:9094,")).containsExactly(
        SocketAddress.inetSocketAddress(9092, "a"), SocketAddress.inetSocketAddress(9093, "10.0.0.1"),
        SocketAddress.inetSocketAddress(9094, "::1"));
  }

  private static void watch(String bootstrap, Consumer<KafkaWatch> body) {
    KitConfig config = new KitConfig("watch-test", 0, Map.of(Settings.KAFKA_BOOTSTRAP_SERVERS.name(), bootstrap,
        Settings.KAFKA_CHECK_TIMEOUT_MS.name(), "500", Settings.KAFKA_CHECK_INTERVAL_MS.name(), "100"));
    KafkaClients clients = new KafkaClients(config, new SimpleMeterRegistry());
    Vertx vertx = Vertx.vertx();
    try (Admin admin = clients.admin();
         Producer<String, byte[]> producer = clients.producer("watch-test", Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, 0))) {
      KafkaWatch watch = new KafkaWatch(vertx, vertx.getOrCreateContext(), admin, producer, config);
      watch.start();
      try {
        body.accept(watch);
      } finally {
        watch.close();
      }
    } finally {
      clients.close();
      await(vertx.close());
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
