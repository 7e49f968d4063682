package io.convnet.kit.config;

import io.convnet.proto.Topic;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A service's configuration: environment variables ({@link Settings}) over sane defaults.
 * Tests pass their own map instead of the process environment.
 */
public final class KitConfig {
  private final String service;
  private final int defaultHttpPort;
  private final Map<String, String> env;

  public KitConfig(String service, int defaultHttpPort, Map<String, String> env) {
    this.service = service;
    this.defaultHttpPort = defaultHttpPort;
    this.env = Map.copyOf(env);
  }

  public static KitConfig fromEnvironment(String service, int defaultHttpPort) {
    return new KitConfig(service, defaultHttpPort, System.getenv());
  }

  public String service() {
    return service;
  }

  public String get(Setting setting) {
    String v = env.get(setting.name());
    return v == null || v.isBlank() ? setting.defaultValue() : v.trim();
  }

  /** Whether the environment sets {@code setting} (else its default applies). */
  public boolean isSet(Setting setting) {
    String v = env.get(setting.name());
    return v != null && !v.isBlank();
  }

  public int getInt(Setting setting) {
    long v = getLong(setting);
    if (v != (int) v) {
      throw new IllegalArgumentException(setting.name() + " must be at most " + Integer.MAX_VALUE + ", not " + v);
    }
    return (int) v;
  }

  public long getLong(Setting setting) {
    String v = get(setting);
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(setting.name() + " must be an integer, not '" + v + "'");
    }
  }

  public Duration millis(Setting setting) {
    return Duration.ofMillis(getInt(setting));
  }

  public String bootstrapServers() {
    return get(Settings.KAFKA_BOOTSTRAP_SERVERS);
  }

  public String httpHost() {
    return get(Settings.HTTP_HOST);
  }

  public int httpPort() {
    String v = env.get(Settings.HTTP_PORT.name());
    return v == null || v.isBlank() ? defaultHttpPort : getInt(Settings.HTTP_PORT);
  }

  public String instanceId() {
    String v = env.get(Settings.INSTANCE_ID.name());
    return v == null || v.isBlank() ? service + "-" + hostName() + "-" + ProcessHandle.current().pid() : v.trim();
  }

  public String replyGroup() {
    String v = env.get(Settings.REPLY_GROUP.name());
    return v == null || v.isBlank() ? service + "-replies" : v.trim();
  }

  public int partitions(Topic<?> topic) {
    return getInt(Settings.partitions(topic));
  }

  public Path modelStore() {
    return Path.of(get(Settings.MODEL_STORE));
  }

  public Path dataRoot() {
    return Path.of(get(Settings.DATA_ROOT));
  }

  /**
   * The upload folder ({@link Settings#UPLOAD_DIR}), or null when unset. It may not lie in the data root or
   * the model store (a score record's reference, or a model read, could then reach other people's images).
   */
  public Path uploadDir() {
    String v = get(Settings.UPLOAD_DIR);
    if (v.isEmpty()) {
      return null;
    }
    Path dir = absolute(Path.of(v));
    for (Setting root : new Setting[] {Settings.DATA_ROOT, Settings.MODEL_STORE}) {
      if (dir.startsWith(absolute(Path.of(get(root))))) {
        throw new IllegalArgumentException(Settings.UPLOAD_DIR.name() + " (" + v + ") must not be inside "
            + root.name() + " (" + get(root) + "); give the uploads a folder of their own");
      }
    }
    return dir;
  }

  /** Absolute and normalized, symbolic links resolved as far as the path exists. */
  private static Path absolute(Path path) {
    Path p = path.toAbsolutePath().normalize();
    Path existing = p;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    try {
      return existing == null ? p : existing.toRealPath().resolve(existing.relativize(p));
    } catch (IOException e) {
      return p;
    }
  }

  public static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return ManagementFactory.getRuntimeMXBean().getName().replaceFirst("^\\d+@", "");
    }
  }
}
