package io.convnet.kit.http;

import io.convnet.proto.Topic;
import io.convnet.proto.Topics;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One series per topic partition: Kafka 4 clients report every per-topic metric twice, under
 * the topic's name and under a deprecated copy with '.' replaced by '_' (KIP-1109); this drops
 * the copies of the cluster's own topics (names from {@link Topics}).
 */
final class KafkaLagSeries implements MeterFilter {
  private static final Set<String> DEPRECATED_NAMES = Topics.ALL.stream().map(Topic::name)
      .filter(n -> n.contains("."))
      .map(n -> n.replace('.', '_'))
      .collect(Collectors.toUnmodifiableSet());

  @Override
  public MeterFilterReply accept(Meter.Id id) {
    String topic = id.getTag("topic");
    return id.getName().startsWith("kafka.") && topic != null && DEPRECATED_NAMES.contains(topic)
        ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
  }
}
