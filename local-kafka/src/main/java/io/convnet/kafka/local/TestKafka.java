package io.convnet.kafka.local;

/**
 * The broker a test talks to, injected by {@link KafkaBrokerExtension}.
 *
 * @param bootstrapServers what Kafka clients connect to
 * @param kind             "in-jvm", "testcontainers" or "external"
 */
public record TestKafka(String bootstrapServers, String kind) {
}
