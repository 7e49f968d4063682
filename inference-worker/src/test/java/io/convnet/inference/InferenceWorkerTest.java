package io.convnet.inference;

import static io.convnet.kit.testing.TestServices.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kit.ServiceException;
import io.convnet.kit.launch.RunningService;
import io.convnet.kit.testing.Idle;
import io.convnet.kit.testing.TestServices;
import io.convnet.proto.ClassifyRequest;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.Exchanges;
import io.convnet.proto.ModelRef;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaBrokerExtension.class)
class InferenceWorkerTest {

  @Test
  void withoutAModelEveryClassifyRequestGetsAnUnavailableReply() {
    RunningService worker = TestServices.start(InferenceWorkerMain.DEFINITION, Map.of());
    RunningService asker = TestServices.start(Idle.definition("iw-asker", true), Map.of());
    try {
      assertThat(TestServices.get(worker.httpPort(), "/health/ready").statusCode()).isEqualTo(200);
      ClassifyRequest request = ClassifyRequest.newBuilder().setModel(ModelRef.newBuilder().setName("cats-vs-dogs")).build();
      assertThatThrownBy(() -> await(asker.kit().requester().request(Exchanges.CLASSIFY, request)))
          .isInstanceOfSatisfying(ServiceException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(e.getMessage()).contains("no model loaded").contains("cats-vs-dogs");
          });
    } finally {
      TestServices.stop(asker, worker);
    }
  }
}
