package io.convnet.kafka.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKafkaBrokerTest {

  @Test
  void aRestartOnTheSameDataDirectoryKeepsTopics(@TempDir Path dir) throws Exception {
    int port = LocalKafkaBroker.freePort();
    int controllerPort = LocalKafkaBroker.freePort();
    try (LocalKafkaBroker broker = LocalKafkaBroker.start(dir, port, controllerPort, false);
         Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic("kept", 2, (short) 1))).all().get();
    }
    assertThat(Files.exists(dir.resolve("server.properties"))).isTrue();

    try (LocalKafkaBroker broker = LocalKafkaBroker.start(dir, port, controllerPort, false);
         Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      assertThat(admin.listTopics().names().get()).contains("kept");
    }
  }
}
