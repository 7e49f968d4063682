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
import java.util.Map;
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
  /** The super user of a {@link #startSecured secured} broker. */
  public static final String ADMIN = "admin";

  private final Path logDir;
  private final boolean deleteOnClose;
  private final int port;
  private final Map<String, Object> adminClientProperties;
  private final KafkaRaftServer server;
  private boolean closed;

  private LocalKafkaBroker(Path logDir, boolean deleteOnClose, int port, Map<String, Object> adminClientProperties,
                           KafkaRaftServer server) {
    this.logDir = logDir;
    this.deleteOnClose = deleteOnClose;
    this.port = port;
    this.adminClientProperties = adminClientProperties;
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
    return start(logDir, port, deleteOnClose, serverProperties(logDir, port, controllerPort),
        Map.of("bootstrap.servers", HOST + ":" + port));
  }

  /**
   * A throw-away broker as a production cluster runs it: clients authenticate with
   * SASL/SCRAM-SHA-512 on {@link #bootstrapServers()} and Kafka's own {@code StandardAuthorizer}
   * lets them do only what ACLs allow (nothing without one). The broker and the controller
   * talk over their own SASL/PLAIN listeners as {@link #ADMIN}, the super user, who creates
   * the SCRAM users and ACLs through {@link #adminClientProperties()}.
   */
  public static LocalKafkaBroker startSecured(String adminPassword) {
    try {
      Path logDir = Files.createTempDirectory("convnet-kafka-secured-");
      int port = freePort();
      int internalPort = freePort();
      int controllerPort = freePort();
      String adminLogin = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + ADMIN
          + "\" password=\"" + adminPassword + "\"";
      Properties p = serverProperties(logDir, port, controllerPort);
      p.put("listeners", "CLIENT://" + HOST + ":" + port + ",INTERNAL://" + HOST + ":" + internalPort
          + ",CONTROLLER://" + HOST + ":" + controllerPort);
      p.put("advertised.listeners", "CLIENT://" + HOST + ":" + port + ",INTERNAL://" + HOST + ":" + internalPort);
      p.put("listener.security.protocol.map", "CLIENT:SASL_PLAINTEXT,INTERNAL:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT");
      p.put("inter.broker.listener.name", "INTERNAL");
      p.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
      p.put("sasl.mechanism.controller.protocol", "PLAIN");
      p.put("listener.name.client.sasl.enabled.mechanisms", "SCRAM-SHA-512");
      p.put("listener.name.client.scram-sha-512.sasl.jaas.config",
          "org.apache.kafka.common.security.scram.ScramLoginModule required;");
      for (String listener : new String[] {"internal", "controller"}) {
        p.put("listener.name." + listener + ".sasl.enabled.mechanisms", "PLAIN");
        p.put("listener.name." + listener + ".plain.sasl.jaas.config",
            adminLogin + " user_" + ADMIN + "=\"" + adminPassword + "\";");
      }
      p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
      p.put("super.users", "User:" + ADMIN);
      p.put("allow.everyone.if.no.acl.found", "false");
      Map<String, Object> admin = Map.of("bootstrap.servers", HOST + ":" + internalPort,
          "security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN", "sasl.jaas.config", adminLogin + ";");
      return start(logDir, port, true, p, admin);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static LocalKafkaBroker start(Path logDir, int port, boolean deleteOnClose, Properties props, Map<String, Object> adminClientProperties) {
    try {
      Files.createDirectories(logDir);
      Path file = logDir.resolve("server.properties");
      try (OutputStream out = Files.newOutputStream(file)) {
        props.store(out, "convnet local single-node KRaft broker");
      }
      if (!Files.exists(logDir.resolve("data").resolve("meta.properties"))) {
        format(file);
      }
      KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
      server.startup();
      return new LocalKafkaBroker(logDir, deleteOnClose, port, adminClientProperties, server);
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
    p.put("socket.send.buffer.bytes", "-1");
    p.put("socket.receive.buffer.bytes", "-1");
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

  /** Client properties of the super user (on a plain broker: just its address). */
  public Map<String, Object> adminClientProperties() {
    return adminClientProperties;
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
