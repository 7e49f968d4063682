package io.convnet.kafka.local;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/**
 * Runs {@link LocalKafkaBroker} as a process for {@code ./run.sh}. Data is kept in
 * {@code CONVNET_KAFKA_DATA} (default {@code ./run/kafka}), so a restart keeps topics
 * and the compacted models topic. Prints one {@code READY} line once clients can connect;
 * SIGTERM/SIGINT shut it down cleanly with exit status 0.
 *
 * <p>Arguments (each optional): {@code [port [data-dir]]}; environment:
 * {@code CONVNET_KAFKA_PORT} (9092), {@code CONVNET_KAFKA_CONTROLLER_PORT} (port + 1),
 * {@code CONVNET_KAFKA_DATA}.
 */
public final class LocalKafkaMain {
  private LocalKafkaMain() {
  }

  public static void main(String[] args) throws InterruptedException {
    // Before the first logger exists: this jar's own concise config, Kafka at WARN.
    if (System.getProperty("log4j2.configurationFile") == null) {
      System.setProperty("log4j2.configurationFile", "log4j2-local-kafka.xml");
    }
    int port = Integer.parseInt(args.length > 0 ? args[0] : env("CONVNET_KAFKA_PORT", "9092"));
    Path data = Path.of(args.length > 1 ? args[1] : env("CONVNET_KAFKA_DATA", "run/kafka")).toAbsolutePath();
    int controllerPort = Integer.parseInt(env("CONVNET_KAFKA_CONTROLLER_PORT", String.valueOf(port + 1)));

    LocalKafkaBroker broker = LocalKafkaBroker.start(data, port, controllerPort, false);
    CountDownLatch stop = new CountDownLatch(1);
    Signal.handle(new Signal("TERM"), s -> stop.countDown());
    Signal.handle(new Signal("INT"), s -> stop.countDown());
    System.out.println("READY Kafka broker at " + broker.bootstrapServers() + " (data in " + data + ")");
    System.out.flush();
    stop.await();
    System.out.println("stopping Kafka broker");
    broker.close();
    System.out.println("Kafka broker stopped");
    System.exit(0);
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }
}
