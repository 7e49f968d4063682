package io.convnet.kit.kafka;

import static io.convnet.kit.testing.TestServices.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kit.config.Settings;
import io.convnet.kit.launch.RunningService;
import io.convnet.kit.launch.ServiceDefinition;
import io.convnet.kit.testing.EchoWorker;
import io.convnet.kit.testing.Idle;
import io.convnet.kit.testing.TestServices;
import io.convnet.proto.ClassifyReply;
import io.convnet.proto.ClassifyRequest;
import io.convnet.proto.Exchanges;
import io.convnet.proto.ModelRef;
import io.convnet.proto.VisualizeReply;
import io.convnet.proto.VisualizeRequest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One of two instances of a serving group stops answering (as a killed one does until the group's
 * session timeout moves its partitions): idempotent requests left unanswered on its partitions are
 * sent again to the other, and all are answered, while a request that may not be sent twice is not.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ResendTest {

  static final AtomicBoolean MUTE = new AtomicBoolean();

  /** Answers classify requests from its share of the partitions as the echo worker does until muted, then never. */
  static ServiceDefinition fallingSilentWorker(String name) {
    return new ServiceDefinition(name, 0, false, kit -> new VerticleBase() {
      @Override
      public Future<?> start() {
        return kit.responder().serve(Exchanges.CLASSIFY, request -> MUTE.get() ? Promise.<ClassifyReply>promise().future()
                : Future.succeededFuture(ClassifyReply.newBuilder().addLabels(request.getModel().getName())
                    .setWorker(kit.instanceId()).build()))
            .compose(v -> kit.responder().serve(Exchanges.VISUALIZE, request -> Promise.<VisualizeReply>promise().future()));
      }
    });
  }

  static void awaitTwoMembersSharingClassify(RunningService asker) {
    long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < until) {
      var group = await(Future.fromCompletionStage(asker.kit().admin().describeConsumerGroups(List.of("rs-worker"))
          .all().toCompletionStage())).get("rs-worker");
      var classify = group.members().stream().filter(m -> m.clientId().endsWith("-classify")).toList();
      if (classify.size() == 2 && classify.stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty())) {
        return;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }
    throw new AssertionError("the two workers never shared the classify partitions");
  }

  @Test
  void requestsLeftUnansweredByASilentInstanceAreAnsweredByTheOther() {
    RunningService asker = TestServices.start(Idle.definition("rs-asker", true),
        Map.of(Settings.REQUEST_RESEND_MS.name(), "500"));
    RunningService silent = TestServices.start(fallingSilentWorker("rs-worker"), Map.of());
    RunningService echo = TestServices.start(EchoWorker.definition("rs-worker"), Map.of());
    try {
      awaitTwoMembersSharingClassify(asker);
      KafkaRequester requester = asker.kit().requester();
      // Until both have answered on all their partitions, the asker knows which instance serves which.
      Set<String> workers = new HashSet<>();
      for (int i = 0; i < 200 && workers.size() < 2; i++) {
        workers.add(await(requester.request(Exchanges.CLASSIFY, ClassifyRequest.newBuilder()
            .setModel(ModelRef.newBuilder().setName("warm")).build())).getWorker());
      }
      for (int i = 0; i < 16; i++) {
        await(requester.request(Exchanges.CLASSIFY, ClassifyRequest.newBuilder()
            .setModel(ModelRef.newBuilder().setName("warm")).build()));
      }
      MUTE.set(true);
      List<Future<ClassifyReply>> replies = new ArrayList<>();
      long t0 = System.nanoTime();
      for (int i = 0; i < 40; i++) {
        replies.add(requester.request(Exchanges.CLASSIFY, ClassifyRequest.newBuilder()
            .setModel(ModelRef.newBuilder().setName("m" + i)).build(), Duration.ofSeconds(20)));
      }
      for (int i = 0; i < 40; i++) {
        ClassifyReply reply = await(replies.get(i));
        assertThat(reply.getLabelsList()).containsExactly("m" + i);
        assertThat(reply.getWorker()).isEqualTo(echo.kit().instanceId());
      }
      long ms = (System.nanoTime() - t0) / 1_000_000;
      double resent = asker.kit().registry().get("convnet.requests.resent").tag("exchange", "classify").counter().count();
      System.out.printf("40 requests, %.0f re-sent, all answered in %d ms%n", resent, ms);
      assertThat(resent).as("re-sent requests").isPositive();
      assertThat(ms).as("ms for all (timeout 20 s)").isLessThan(15_000);

      // Visualize requests may start jobs: never sent twice, so those on the silent partitions time out.
      List<Future<VisualizeReply>> visualize = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        visualize.add(requester.request(Exchanges.VISUALIZE, VisualizeRequest.getDefaultInstance(), Duration.ofMillis(1500)));
      }
      visualize.forEach(f -> assertThat(await(f.map(r -> "answered").otherwise("timed out"))).isEqualTo("timed out"));
      assertThat(asker.kit().registry().find("convnet.requests.resent").tag("exchange", "visualize").counter()).isNull();
    } finally {
      TestServices.stop(asker, silent, echo);
    }
  }
}
