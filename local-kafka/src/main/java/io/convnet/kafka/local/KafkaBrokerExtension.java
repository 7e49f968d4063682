package io.convnet.kafka.local;

import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * Gives tests a real Kafka broker, one per test JVM, shared through the root
 * {@link ExtensionContext.Store} and closed when the JVM's tests are done:
 * <ol>
 *   <li>an external broker when {@code -Dconvnet.kafka.bootstrap=host:port} names one;</li>
 *   <li>a Testcontainers {@link KafkaContainer} (apache/kafka, the kafka-clients version)
 *       when Docker is available;</li>
 *   <li>otherwise the in-JVM {@link LocalKafkaBroker}.</li>
 * </ol>
 * Tests receive a {@link TestKafka} parameter or call {@link #bootstrapServers()}.
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, ParameterResolver {
  public static final String BOOTSTRAP_PROPERTY = "convnet.kafka.bootstrap";
  public static final String IMAGE_PROPERTY = "convnet.kafka.image";

  private static final Logger LOG = LoggerFactory.getLogger(KafkaBrokerExtension.class);
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KafkaBrokerExtension.class);
  private static volatile SharedBroker current;

  @Override
  public void beforeAll(ExtensionContext context) {
    shared(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == TestKafka.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return shared(context).kafka;
  }

  /** Bootstrap servers of the broker; only valid in a test class using this extension. */
  public static String bootstrapServers() {
    SharedBroker broker = current;
    if (broker == null) {
      throw new IllegalStateException("no broker yet: annotate the test class with @ExtendWith(KafkaBrokerExtension.class)");
    }
    return broker.kafka.bootstrapServers();
  }

  private static SharedBroker shared(ExtensionContext context) {
    SharedBroker broker = context.getRoot().getStore(NAMESPACE)
        .getOrComputeIfAbsent(SharedBroker.class, k -> SharedBroker.start(), SharedBroker.class);
    current = broker;
    return broker;
  }

  /** The broker and how to stop it; JUnit closes AutoCloseable store values. */
  private static final class SharedBroker implements AutoCloseable {
    final TestKafka kafka;
    final AutoCloseable stopper;

    SharedBroker(TestKafka kafka, AutoCloseable stopper) {
      this.kafka = kafka;
      this.stopper = stopper;
    }

    static SharedBroker start() {
      String external = System.getProperty(BOOTSTRAP_PROPERTY);
      if (external != null && !external.isBlank()) {
        LOG.info("tests use the external Kafka broker at {}", external);
        return new SharedBroker(new TestKafka(external, "external"), () -> { });
      }
      if (DockerClientFactory.instance().isDockerAvailable()) {
        String image = System.getProperty(IMAGE_PROPERTY, "apache/kafka:" + AppInfoParser.getVersion());
        KafkaContainer container = new KafkaContainer(image)
            .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
            .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
            .withEnv("KAFKA_MESSAGE_MAX_BYTES", String.valueOf(16 * 1024 * 1024));
        container.start();
        LOG.info("tests use a Testcontainers Kafka broker ({}) at {}", image, container.getBootstrapServers());
        return new SharedBroker(new TestKafka(container.getBootstrapServers(), "testcontainers"), container::stop);
      }
      long t0 = System.nanoTime();
      LocalKafkaBroker broker = LocalKafkaBroker.startEphemeral();
      LOG.info("tests use an in-JVM Kafka broker at {} (started in {} ms)",
          broker.bootstrapServers(), (System.nanoTime() - t0) / 1_000_000);
      return new SharedBroker(new TestKafka(broker.bootstrapServers(), "in-jvm"), broker);
    }

    @Override
    public void close() throws Exception {
      current = null;
      stopper.close();
    }
  }
}
