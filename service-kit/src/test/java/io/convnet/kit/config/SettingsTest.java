package io.convnet.kit.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.convnet.proto.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {

  @Test
  void everySettingIsDocumentedInDocsConfiguration() throws Exception {
    String readme = Files.readString(Path.of("..", "docs", "configuration.md"));
    assertThat(Settings.ALL).allSatisfy(s -> assertThat(readme).as(s.name()).contains("`" + s.name() + "`"));
  }

  @Test
  void environmentOverridesDefaults() {
    KitConfig config = new KitConfig("inference-worker", 8082, Map.of(
        "CONVNET_PARTITIONS_CLASSIFY_REQUESTS", "12", "CONVNET_HTTP_PORT", " "));
    assertThat(config.partitions(Topics.CLASSIFY_REQUESTS)).isEqualTo(12);
    assertThat(config.partitions(Topics.SCORE_REQUESTS)).isEqualTo(4);
    assertThat(config.httpPort()).isEqualTo(8082);
    assertThat(config.replyGroup()).isEqualTo("inference-worker-replies");
    assertThat(config.instanceId()).startsWith("inference-worker-").endsWith("-" + ProcessHandle.current().pid());
    assertThat(config.bootstrapServers()).isEqualTo("localhost:9092");
  }

  @Test
  void aTopicsPartitionSettingIsNamedAfterTheTopic() {
    assertThat(Settings.partitions(Topics.SCORE_DEAD_LETTERS).name()).isEqualTo("CONVNET_PARTITIONS_SCORE_DEAD_LETTERS");
    assertThat(Settings.partitions(Topics.REPLIES).name()).isEqualTo("CONVNET_PARTITIONS_REPLIES");
  }
}
