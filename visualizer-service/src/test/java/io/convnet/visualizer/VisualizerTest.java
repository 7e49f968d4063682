package io.convnet.visualizer;

import static io.convnet.kit.testing.TestServices.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kit.ServiceException;
import io.convnet.kit.launch.RunningService;
import io.convnet.kit.testing.Idle;
import io.convnet.kit.testing.TestServices;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.Exchanges;
import io.convnet.proto.VisualizeRequest;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaBrokerExtension.class)
class VisualizerTest {

  @Test
  void withoutAModelEveryVisualizeRequestGetsAnUnavailableReply() {
    RunningService visualizer = TestServices.start(VisualizerMain.DEFINITION, Map.of());
    RunningService asker = TestServices.start(Idle.definition("vis-asker", true), Map.of());
    try {
      assertThat(TestServices.get(visualizer.httpPort(), "/health/ready").statusCode()).isEqualTo(200);
      assertThatThrownBy(() -> await(asker.kit().requester().request(Exchanges.VISUALIZE, VisualizeRequest.getDefaultInstance())))
          .isInstanceOfSatisfying(ServiceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
    } finally {
      TestServices.stop(asker, visualizer);
    }
  }
}
