package io.convnet.kit.kafka;

import static io.convnet.kit.testing.TestServices.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kit.ServiceException;
import io.convnet.kit.config.Settings;
import io.convnet.kit.launch.RunningService;
import io.convnet.kit.testing.EchoWorker;
import io.convnet.kit.testing.Idle;
import io.convnet.kit.testing.TestServices;
import io.convnet.proto.ClassifyReply;
import io.convnet.proto.ClassifyRequest;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.Exchanges;
import io.convnet.proto.ModelRef;
import io.convnet.proto.StatusPing;
import io.convnet.proto.StatusPong;
import io.convnet.proto.VisualizeRequest;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaBrokerExtension.class)
class RequestReplyTest {
  static RunningService asker;
  static RunningService otherAsker;
  static RunningService worker;

  @BeforeAll
  static void start() {
    asker = TestServices.start(Idle.definition("rr-asker", true), Map.of(Settings.MAX_IN_FLIGHT.name(), "40"));
    otherAsker = TestServices.start(Idle.definition("rr-asker", true), Map.of());
    worker = TestServices.start(EchoWorker.definition("rr-worker"), Map.of());
  }

  @AfterAll
  static void stop() {
    TestServices.stop(asker, otherAsker, worker);
  }

  static KafkaRequester requester(RunningService s) {
    return s.kit().requester();
  }

  static ClassifyRequest classify(String model) {
    return ClassifyRequest.newBuilder().setModel(ModelRef.newBuilder().setName(model)).build();
  }

  @Test
  void aRequestGetsTheReplyOfOneInstance() {
    ClassifyReply reply = await(requester(asker).request(Exchanges.CLASSIFY, classify("cats")));
    assertThat(reply.getLabelsList()).containsExactly("cats");
    assertThat(reply.getWorker()).isEqualTo(worker.kit().instanceId());
  }

  @Test
  void twoInstancesOfOneServiceEachGetTheirOwnReplies() {
    assertThat(requester(asker).ownedPartitions()).isNotEmpty()
        .doesNotContain(requester(otherAsker).ownedPartitions());
    List<Future<ClassifyReply>> replies = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      replies.add(requester(asker).request(Exchanges.CLASSIFY, classify("a" + i)));
      replies.add(requester(otherAsker).request(Exchanges.CLASSIFY, classify("b" + i)));
    }
    for (int i = 0; i < 20; i++) {
      assertThat(await(replies.get(2 * i)).getLabels(0)).isEqualTo("a" + i);
      assertThat(await(replies.get(2 * i + 1)).getLabels(0)).isEqualTo("b" + i);
    }
  }

  @Test
  void aResponderErrorReachesTheAskerWithItsCode() {
    assertThatThrownBy(() -> await(requester(asker).request(Exchanges.CLASSIFY, classify("missing"))))
        .isInstanceOfSatisfying(ServiceException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
          assertThat(e.getMessage()).isEqualTo("model 'missing' is not served");
        });
    assertThatThrownBy(() -> await(requester(asker).request(Exchanges.CLASSIFY, classify("boom"))))
        .isInstanceOfSatisfying(ServiceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL));
  }

  @Test
  void nobodyServingEndsWithDeadlineExceededAfterTheTimeout() {
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> await(requester(asker).request(Exchanges.VISUALIZE,
        VisualizeRequest.getDefaultInstance(), Duration.ofMillis(400))))
        .isInstanceOfSatisfying(ServiceException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.DEADLINE_EXCEEDED);
          assertThat(e.getMessage()).contains("visualize").contains("400 ms");
        });
    assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(350L, 3_000L);
  }

  @Test
  void beyondTheInFlightLimitARequestIsRefusedAtOnce() {
    KafkaRequester requester = requester(asker);
    List<Future<?>> waiting = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      waiting.add(requester.request(Exchanges.VISUALIZE, VisualizeRequest.getDefaultInstance(), Duration.ofMillis(1500)));
    }
    long t0 = System.nanoTime();
    Future<?> refused = requester.request(Exchanges.VISUALIZE, VisualizeRequest.getDefaultInstance());
    assertThat(refused.failed()).isTrue();
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(50);
    assertThat(((ServiceException) refused.cause()).code()).isEqualTo(ErrorCode.BUSY);
    waiting.forEach(f -> assertThatThrownBy(() -> await(f)).isInstanceOf(ServiceException.class));
    assertThat(requester.inFlight()).isZero();
  }

  @Test
  void aStatusPingReachesEveryInstanceOfEveryService() {
    List<StatusPong> pongs = await(requester(asker).gather(Exchanges.STATUS,
        StatusPing.newBuilder().setSentMs(System.currentTimeMillis()).build(), Duration.ofMillis(1000)));
    assertThat(pongs).extracting(StatusPong::getInstanceId).contains(
        asker.kit().instanceId(), otherAsker.kit().instanceId(), worker.kit().instanceId());
    StatusPong workerPong = pongs.stream().filter(p -> p.getInstanceId().equals(worker.kit().instanceId())).findFirst().orElseThrow();
    assertThat(workerPong.getService()).isEqualTo("rr-worker");
    assertThat(workerPong.getVersion()).isNotBlank().isNotEqualTo("unknown");
    assertThat(workerPong.getUptimeMs()).isPositive();
  }
}
