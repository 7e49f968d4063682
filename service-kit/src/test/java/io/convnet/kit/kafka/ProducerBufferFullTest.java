package io.convnet.kit.kafka;

import static io.convnet.kit.testing.TestServices.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kit.ServiceException;
import io.convnet.kit.launch.RunningService;
import io.convnet.kit.testing.EchoWorker;
import io.convnet.kit.testing.Idle;
import io.convnet.kit.testing.TestServices;
import io.convnet.proto.ClassifyReply;
import io.convnet.proto.ClassifyRequest;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.Exchanges;
import io.convnet.proto.Image;
import io.convnet.proto.ModelRef;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Many large requests at once fill the producer's buffer (it never waits for room): those that do not fit
 * fail at once as BUSY, a 503 to retry, with a message that shows neither the topic nor the producer's
 * figures; the others are answered.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ProducerBufferFullTest {

  @Test
  void requestsBeyondTheProducersBufferAreBusyAndSayNothingInternal() {
    RunningService asker = TestServices.start(Idle.definition("pb-asker", true), Map.of());
    RunningService echo = TestServices.start(EchoWorker.definition("pb-worker"), Map.of());
    try {
      // 40 requests of 4 MiB in one event-loop turn: 160 MiB against the producer's 48 MiB buffer
      ByteString photo = ByteString.copyFrom(new byte[4 << 20]);
      ClassifyRequest request = ClassifyRequest.newBuilder().setModel(ModelRef.newBuilder().setName("big"))
          .addImages(Image.newBuilder().setData(photo)).build();
      List<Future<ClassifyReply>> replies = await(Future.<List<Future<ClassifyReply>>>future(p ->
          asker.kit().vertx().getOrCreateContext().runOnContext(v -> {
            List<Future<ClassifyReply>> sent = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
              sent.add(asker.kit().requester().request(Exchanges.CLASSIFY, request));
            }
            p.complete(sent);
          })));
      await(Future.join(replies).otherwiseEmpty());

      List<Throwable> failures = replies.stream().filter(Future::failed).map(Future::cause).toList();
      assertThat(failures).as("requests refused for want of buffer").isNotEmpty();
      assertThat(failures).allSatisfy(t -> {
        assertThat(t).isInstanceOf(ServiceException.class);
        assertThat(((ServiceException) t).code()).isEqualTo(ErrorCode.BUSY);
        assertThat(t.getMessage()).isEqualTo("too many large requests are on their way to the workers; retry shortly");
      });
      assertThat(replies.stream().filter(Future::succeeded).map(f -> f.result().getLabels(0)))
          .as("the requests that fit are answered").isNotEmpty().allMatch("big"::equals);
    } finally {
      TestServices.stop(asker, echo);
    }
  }
}
