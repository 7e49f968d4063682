package io.convnet.kit.kafka;

import io.convnet.kit.config.KitConfig;
import io.convnet.kit.config.Settings;
import io.convnet.proto.Topic;
import io.convnet.proto.Topics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates every topic of {@link Topics#ALL} that is missing, or, where an operator owns the
 * topics ({@code CONVNET_KAFKA_CREATE_TOPICS=false}), only verifies that they are all there;
 * blocking, for start-up threads.
 */
public final class TopicSetup {
  private static final Logger LOG = LoggerFactory.getLogger(TopicSetup.class);

  private TopicSetup() {
  }

  public static void ensureTopics(Admin admin, KitConfig config, long timeoutMs)
      throws InterruptedException, ExecutionException, TimeoutException {
    Set<String> existing = admin.listTopics().names().get(timeoutMs, TimeUnit.MILLISECONDS);
    List<NewTopic> missing = new ArrayList<>();
    for (Topic<?> topic : Topics.ALL) {
      if (!existing.contains(topic.name())) {
        missing.add(newTopic(topic, config));
      }
    }
    if (!missing.isEmpty() && !createTopics(config)) {
      throw new IllegalStateException("topics missing: " + missing.stream().map(NewTopic::name).toList() + " ("
          + Settings.KAFKA_CREATE_TOPICS.name() + "=false: waiting for their owner, e.g. Strimzi's topic operator)");
    }
    if (!missing.isEmpty()) {
      var results = admin.createTopics(missing).values();
      for (var entry : results.entrySet()) {
        try {
          entry.getValue().get(timeoutMs, TimeUnit.MILLISECONDS);
          LOG.info("created topic {}", entry.getKey());
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
    }
    warnAboutPartitionCounts(admin, config, timeoutMs);
  }

  static NewTopic newTopic(Topic<?> topic, KitConfig config) {
    Map<String, String> configs = new HashMap<>();
    configs.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, config.get(Settings.MAX_MESSAGE_BYTES));
    if (topic.compacted()) {
      configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
    }
    if (topic.retentionMs() != 0) {
      configs.put(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(topic.retentionMs()));
    }
    return new NewTopic(topic.name(), config.partitions(topic), (short) config.getInt(Settings.REPLICATION_FACTOR))
        .configs(configs);
  }

  static boolean createTopics(KitConfig config) {
    String v = config.get(Settings.KAFKA_CREATE_TOPICS);
    if (!v.equals("true") && !v.equals("false")) {
      throw new IllegalArgumentException(Settings.KAFKA_CREATE_TOPICS.name() + " must be true or false, not '" + v + "'");
    }
    return v.equals("true");
  }

  /**
   * An existing topic keeps its partitions and replicas: say so when configuration asks for
   * others (fewer replicas than {@code CONVNET_REPLICATION_FACTOR} lose data with a broker).
   */
  private static void warnAboutPartitionCounts(Admin admin, KitConfig config, long timeoutMs)
      throws InterruptedException, ExecutionException, TimeoutException {
    Map<String, TopicDescription> described = admin.describeTopics(Topics.ALL.stream().map(Topic::name).toList())
        .allTopicNames().get(timeoutMs, TimeUnit.MILLISECONDS);
    for (Topic<?> topic : Topics.ALL) {
      int actual = described.get(topic.name()).partitions().size();
      if (actual != config.partitions(topic)) {
        LOG.warn("topic {} has {} partitions, configuration asks for {} ({}): existing topics keep theirs",
            topic.name(), actual, config.partitions(topic), Settings.partitions(topic).name());
      }
      int replicas = described.get(topic.name()).partitions().get(0).replicas().size();
      if (replicas < config.getInt(Settings.REPLICATION_FACTOR)) {
        LOG.warn("topic {} has {} replicas, fewer than {}={}", topic.name(), replicas,
            Settings.REPLICATION_FACTOR.name(), config.getInt(Settings.REPLICATION_FACTOR));
      }
    }
  }
}
