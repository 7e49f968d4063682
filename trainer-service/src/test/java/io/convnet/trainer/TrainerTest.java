package io.convnet.trainer;

import static io.convnet.kit.testing.TestServices.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kit.launch.RunningService;
import io.convnet.kit.testing.Idle;
import io.convnet.kit.testing.TestServices;
import io.convnet.proto.Exchanges;
import io.convnet.proto.StatusPing;
import io.convnet.proto.StatusPong;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaBrokerExtension.class)
class TrainerTest {

  @Test
  void theTrainerAnswersStatusPingsAndIsReady(@TempDir Path store) {
    // a store of its own: jobs other tests left on the broker must not write into the module's folder
    RunningService trainer = TestServices.start(TrainerMain.DEFINITION, Map.of("CONVNET_MODEL_STORE", store.toString()));
    RunningService asker = TestServices.start(Idle.definition("tr-asker", true), Map.of());
    try {
      assertThat(TestServices.get(trainer.httpPort(), "/health/ready").statusCode()).isEqualTo(200);
      var pongs = await(asker.kit().requester().gather(Exchanges.STATUS, StatusPing.getDefaultInstance(), Duration.ofMillis(1500)));
      StatusPong pong = pongs.stream().filter(p -> p.getService().equals("trainer-service")).findFirst().orElseThrow();
      assertThat(pong.getInstanceId()).isEqualTo(trainer.kit().instanceId());
      assertThat(pong.getDetailsMap()).containsEntry("jobs", "none");
    } finally {
      TestServices.stop(asker, trainer);
    }
  }
}
