package io.convnet.kafka.local;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one node) run
 * in this JVM from Kafka's own server jars. Internal Kafka APIs: the version is
 * pinned with kafka-clients in the parent pom.
 */
public final class LocalKafkaBroker implements AutoCloseable {
  private static final String HOST = "127.0.0.1";

  private final Path logDir;
  private final boolean deleteOnClose;
  private final int port;
  private final KafkaRaftServer server;
  private boolean closed;

  private LocalKafkaBroker(Path logDir, boolean deleteOnClose, int port, KafkaRaftServer server) {
    this.logDir = logDir;
    this.deleteOnClose = deleteOnClose;
    this.port = port;
    this.server = server;
  }

  /** A throw-away broker on free ports with a temporary log directory, deleted on close. */
  public static LocalKafkaBroker startEphemeral() {
    try {
      return start(Files.createTempDirectory("convnet-kafka-"), freePort(), freePort(), true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A broker keeping its data in {@code logDir} (formatted on first use, reused after),
   * listening on {@code port}; its controller listens on {@code controllerPort}.
   */
  public static LocalKafkaBroker start(Path logDir, int port, int controllerPort, boolean deleteOnClose) {
    try {
      Files.createDirectories(logDir);
      Properties props = serverProperties(logDir, port, controllerPort);
      Path file = logDir.resolve("server.properties");
      try (OutputStream out = Files.newOutputStream(file)) {
        props.store(out, "convnet local single-node KRaft broker");
      }
      if (!Files.exists(logDir.resolve("data").resolve("meta.properties"))) {
        format(file);
      }
      KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
      server.startup();
      return new LocalKafkaBroker(logDir, deleteOnClose, port, server);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Properties serverProperties(Path logDir, int port, int controllerPort) {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@" + HOST + ":" + controllerPort);
    p.put("listeners", "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("log.dirs", logDir.resolve("data").toString());
    p.put("num.partitions", "1");
    p.put("default.replication.factor", "1");
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "4");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("min.insync.replicas", "1");
    // A consumer group forms at once instead of waiting 3 s for more members.
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("auto.create.topics.enable", "false");
    // Images travel inline: allow records up to 32 MiB (the services set each topic's max.message.bytes).
    p.put("message.max.bytes", String.valueOf(32 * 1024 * 1024));
    p.put("replica.fetch.max.bytes", String.valueOf(32 * 1024 * 1024));
    return p;
  }

  private static void format(Path serverProperties) {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    String clusterId = Uuid.randomUuid().toString();
    int rc = StorageTool.execute(new String[] {
        "format", "-t", clusterId, "-c", serverProperties.toString()},
        new PrintStream(captured, true, StandardCharsets.UTF_8));
    if (rc != 0) {
      throw new IllegalStateException("formatting Kafka storage failed: " + captured.toString(StandardCharsets.UTF_8));
    }
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String bootstrapServers() {
    return HOST + ":" + port;
  }

  public Path logDir() {
    return logDir;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    server.shutdown();
    server.awaitShutdown();
    if (deleteOnClose) {
      deleteRecursively(logDir);
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temp directory left behind is harmless
    }
  }
}
