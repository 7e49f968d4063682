package io.convnet.kit.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.convnet.proto.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

  @Test
  void theUploadFolderIsOptionalAndNeverInsideTheDataRootOrModelStore(@TempDir Path tmp) throws Exception {
    assertThat(new KitConfig("gateway", 8080, Map.of()).uploadDir()).isNull();
    Path data = Files.createDirectories(tmp.resolve("data"));
    Path link = Files.createSymbolicLink(tmp.resolve("link"), data);
    Map<String, String> roots = Map.of("CONVNET_DATA_ROOT", data.toString(),
        "CONVNET_MODEL_STORE", tmp.resolve("models").toString());
    assertThat(uploadDir(roots, tmp.resolve("uploads").toString())).isEqualTo(tmp.toRealPath().resolve("uploads"));
    for (String inside : new String[] {data.toString(), data.resolve("uploads").toString(),
        tmp.resolve("models/up").toString(), link.resolve("up").toString(), data.resolve("../data/x").toString()}) {
      assertThat(catchThrowable(() -> uploadDir(roots, inside))).as(inside)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CONVNET_UPLOAD_DIR (" + inside
              + ") must not be inside CONVNET_").hasMessageContaining("give the uploads a folder of their own");
    }
  }

  private static Path uploadDir(Map<String, String> roots, String dir) {
    Map<String, String> env = new java.util.HashMap<>(roots);
    env.put("CONVNET_UPLOAD_DIR", dir);
    return new KitConfig("gateway", 8080, env).uploadDir();
  }
}
