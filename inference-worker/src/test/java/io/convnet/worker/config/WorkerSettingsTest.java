package io.convnet.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convnet.kit.config.KitConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkerSettingsTest {

  @Test
  void everyWorkerSettingIsDocumentedInDocsConfiguration() throws Exception {
    String readme = Files.readString(Path.of("..", "docs", "configuration.md"));
    assertThat(WorkerSettings.ALL).allSatisfy(s -> assertThat(readme).as(s.name()).contains("`" + s.name() + "`"));
  }

  @Test
  void defaultsAndOverrides() {
    WorkerConfig defaults = WorkerConfig.of(new KitConfig("inference-worker", 8082, Map.of()));
    assertThat(defaults.maxBatch()).isEqualTo(32);
    assertThat(defaults.decodeThreads()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(defaults.defaultModel()).isEqualTo("cats-vs-dogs");
    assertThat(defaults.scoreEnabled()).isTrue();
    WorkerConfig custom = WorkerConfig.of(new KitConfig("inference-worker", 8082, Map.of(
        "CONVNET_MAX_BATCH", "8", "CONVNET_DECODE_THREADS", "3", "CONVNET_SCORE_ENABLED", "false")));
    assertThat(custom.maxBatch()).isEqualTo(8);
    assertThat(custom.decodeThreads()).isEqualTo(3);
    assertThat(custom.scoreEnabled()).isFalse();
    assertThatThrownBy(() -> WorkerConfig.of(new KitConfig("inference-worker", 8082, Map.of("CONVNET_MAX_BATCH", "0"))))
        .hasMessageContaining("CONVNET_MAX_BATCH must be at least 1");
  }
}
