package io.convnet.kit.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convnet.kit.config.KitConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaSecurityTest {
  private static Map<String, Object> props(Map<String, String> env) {
    return KafkaSecurity.clientProperties(new KitConfig("gateway", 8080, env));
  }

  @Test
  void nothingSetIsPlainText() {
    assertThat(props(Map.of())).containsExactly(Map.entry("security.protocol", "PLAINTEXT"));
  }

  @Test
  void theStandardPropertiesComeFromTheirVariables() {
    assertThat(props(Map.of("CONVNET_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
        "CONVNET_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
        "CONVNET_KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"gateway\" password=\"x\";",
        "CONVNET_KAFKA_SSL_TRUSTSTORE_TYPE", "PEM",
        "CONVNET_KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/convnet/kafka-ca/ca.crt")))
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry("ssl.truststore.type", "PEM")
        .containsEntry("ssl.truststore.location", "/etc/convnet/kafka-ca/ca.crt")
        .containsKey("sasl.jaas.config");
  }

  @Test
  void aUserNameAndPasswordBecomeAScramLogin() {
    assertThat(props(Map.of("CONVNET_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
        "CONVNET_KAFKA_SASL_USERNAME", "trainer-service", "CONVNET_KAFKA_SASL_PASSWORD", "p\"w")))
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry("sasl.jaas.config",
            "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"trainer-service\" password=\"p\\\"w\";");
  }

  @Test
  void halfAConfigurationStopsTheServiceWithWhatIsMissing() {
    assertThatThrownBy(() -> props(Map.of("CONVNET_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")))
        .hasMessageContaining("CONVNET_KAFKA_SASL_JAAS_CONFIG");
    assertThatThrownBy(() -> props(Map.of("CONVNET_KAFKA_SASL_USERNAME", "gateway", "CONVNET_KAFKA_SASL_PASSWORD", "secret")))
        .hasMessageContaining("SASL_SSL").hasMessageNotContaining("secret");
  }
}
