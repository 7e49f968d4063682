package io.convnet.kit.kafka;

import io.convnet.kit.config.KitConfig;
import io.convnet.kit.config.Settings;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Creates the Kafka clients of one service instance, configured alike and each bound to
 * {@link KafkaClientMetrics} so that {@code /metrics} shows them. Keys are text (request
 * ids, model names); values are protobuf bytes.
 */
public final class KafkaClients implements AutoCloseable {
  private final KitConfig config;
  private final MeterRegistry registry;
  private final List<KafkaClientMetrics> metrics = new CopyOnWriteArrayList<>();

  public KafkaClients(KitConfig config, MeterRegistry registry) {
    this.config = config;
    this.registry = registry;
  }

  public KitConfig config() {
    return config;
  }

  /** A producer for the request/reply path: no lingering, records go out at once. */
  public KafkaProducer<String, byte[]> producer(String purpose, Map<String, Object> overrides) {
    Properties p = common(purpose);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    int maxMessage = config.getInt(Settings.MAX_MESSAGE_BYTES);
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxMessage);
    // Room for two largest records at once (large photos travel inline); Kafka's default is 32 MiB.
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Math.max(32L << 20, 2L * maxMessage));
    // send() must never stall an event loop for long waiting for metadata.
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
    p.put(ProducerConfig.SEND_BUFFER_CONFIG, -1);
    p.putAll(overrides);
    KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    bind(new KafkaClientMetrics(producer));
    return producer;
  }

  /**
   * A consumer; {@code group} null for one that {@code assign()}s partitions itself.
   * Group members use cooperative assignment and leave the group on close, so partitions
   * move to the survivors at once.
   */
  public KafkaConsumer<String, byte[]> consumer(String purpose, String group, Map<String, Object> overrides) {
    Properties p = common(purpose);
    if (group != null) {
      p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
      p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
      // The survivors notice a rebalance at their next heartbeat: keep it well under the 2 s target.
      p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500);
      p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
    }
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, config.getInt(Settings.MAX_MESSAGE_BYTES));
    p.put(ConsumerConfig.RECEIVE_BUFFER_CONFIG, -1);
    p.putAll(overrides);
    KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    // Lag by consumer group on dashboards and alerts; "none" for consumers that assign() themselves.
    bind(new KafkaClientMetrics(consumer, Tags.of("group", group == null ? "none" : group)));
    return consumer;
  }

  public Admin admin() {
    Properties p = common("admin");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    AdminClient admin = AdminClient.create(p);
    bind(new KafkaClientMetrics(admin));
    return admin;
  }

  private Properties common(String purpose) {
    Properties p = new Properties();
    p.put("bootstrap.servers", config.bootstrapServers());
    p.put("client.id", config.instanceId() + "-" + purpose);
    p.putAll(KafkaSecurity.clientProperties(config));
    return p;
  }

  private void bind(KafkaClientMetrics clientMetrics) {
    clientMetrics.bindTo(registry);
    metrics.add(clientMetrics);
  }

  /** Stops the metric binders; the clients themselves are closed by their owners. */
  @Override
  public void close() {
    metrics.forEach(KafkaClientMetrics::close);
    metrics.clear();
  }
}
