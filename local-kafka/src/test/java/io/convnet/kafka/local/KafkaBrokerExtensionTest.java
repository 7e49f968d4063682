package io.convnet.kafka.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaBrokerExtension.class)
class KafkaBrokerExtensionTest {

  @Test
  void aRecordMakesTheRoundTripThroughTheBroker(TestKafka kafka) throws Exception {
    assertThat(KafkaBrokerExtension.bootstrapServers()).isEqualTo(kafka.bootstrapServers());
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic("round-trip", 3, (short) 1))).all().get();
      assertThat(admin.describeTopics(List.of("round-trip")).allTopicNames().get().get("round-trip").partitions())
          .hasSize(3);
    }

    Properties producerProps = new Properties();
    producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    try (var producer = new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>("round-trip", "key", "hello broker")).get();
    }

    Properties consumerProps = new Properties();
    consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "round-trip-test");
    consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (var consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of("round-trip"));
      long until = System.currentTimeMillis() + 15_000;
      ConsumerRecords<String, String> records = ConsumerRecords.empty();
      while (records.isEmpty() && System.currentTimeMillis() < until) {
        records = consumer.poll(Duration.ofMillis(200));
      }
      assertThat(records).extracting(r -> r.value()).containsExactly("hello broker");
    }
  }

  @Test
  void theBrokerIsSharedAcrossTests(TestKafka kafka) {
    assertThat(kafka.kind()).isIn("in-jvm", "testcontainers", "external");
    assertThat(KafkaBrokerExtension.bootstrapServers()).isEqualTo(kafka.bootstrapServers());
  }
}
