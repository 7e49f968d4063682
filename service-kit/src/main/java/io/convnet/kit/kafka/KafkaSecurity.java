package io.convnet.kit.kafka;

import io.convnet.kit.config.KitConfig;
import io.convnet.kit.config.Setting;
import io.convnet.kit.config.Settings;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The standard Kafka client security settings (security.protocol, sasl.*, ssl.*), taken from
 * the environment as {@code CONVNET_KAFKA_<PROPERTY>} ({@code security.protocol} is
 * {@code CONVNET_KAFKA_SECURITY_PROTOCOL}), so that every client of a service authenticates
 * with that service's identity. {@code CONVNET_KAFKA_SASL_USERNAME} and {@code _PASSWORD} are
 * a shorthand for a SCRAM or PLAIN {@code sasl.jaas.config}; Strimzi's user secrets carry the
 * full {@code sasl.jaas.config}, which wins when both are given.
 */
public final class KafkaSecurity {
  private static final String PREFIX = "CONVNET_KAFKA_";

  private KafkaSecurity() {
  }

  /** Client properties for {@code config}; empty when nothing is set (plain text, no identity). */
  public static Map<String, Object> clientProperties(KitConfig config) {
    Map<String, Object> props = new LinkedHashMap<>();
    for (Setting setting : Settings.KAFKA_CLIENT_SECURITY) {
      String value = config.get(setting);
      if (!value.isEmpty()) {
        props.put(property(setting), value);
      }
    }
    String username = config.get(Settings.KAFKA_SASL_USERNAME);
    String password = config.get(Settings.KAFKA_SASL_PASSWORD);
    if (!username.isEmpty() && !props.containsKey("sasl.jaas.config")) {
      props.putIfAbsent("sasl.mechanism", "SCRAM-SHA-512");
      props.put("sasl.jaas.config", jaasConfig(props.get("sasl.mechanism").toString(), username, password));
    }
    check(props);
    return props;
  }

  /** {@code CONVNET_KAFKA_SSL_TRUSTSTORE_LOCATION} -> {@code ssl.truststore.location}. */
  static String property(Setting setting) {
    return setting.name().substring(PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
  }

  private static String jaasConfig(String mechanism, String username, String password) {
    String module = switch (mechanism) {
      case "SCRAM-SHA-256", "SCRAM-SHA-512" -> "org.apache.kafka.common.security.scram.ScramLoginModule";
      case "PLAIN" -> "org.apache.kafka.common.security.plain.PlainLoginModule";
      default -> throw new IllegalArgumentException(Settings.KAFKA_SASL_USERNAME.name()
          + " works with SASL mechanism SCRAM-SHA-256, SCRAM-SHA-512 or PLAIN, not '" + mechanism
          + "': set " + Settings.KAFKA_SASL_JAAS_CONFIG.name() + " instead");
    };
    return module + " required username=\"" + quoted(username) + "\" password=\"" + quoted(password) + "\";";
  }

  private static String quoted(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  /** Half a configuration fails at start with what is missing, not later with a handshake error. */
  private static void check(Map<String, Object> props) {
    String protocol = props.getOrDefault("security.protocol", "PLAINTEXT").toString().toUpperCase(Locale.ROOT);
    boolean sasl = protocol.startsWith("SASL_");
    if (sasl && !props.containsKey("sasl.jaas.config")) {
      throw new IllegalArgumentException(Settings.KAFKA_SECURITY_PROTOCOL.name() + "=" + protocol + " needs "
          + Settings.KAFKA_SASL_JAAS_CONFIG.name() + " or " + Settings.KAFKA_SASL_USERNAME.name() + " and "
          + Settings.KAFKA_SASL_PASSWORD.name());
    }
    if (!sasl && props.containsKey("sasl.jaas.config")) {
      throw new IllegalArgumentException("SASL credentials are set but " + Settings.KAFKA_SECURITY_PROTOCOL.name()
          + " is " + protocol + ": use SASL_SSL (or SASL_PLAINTEXT) to send them");
    }
  }
}
