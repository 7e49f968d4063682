package io.convnet.kit.kafka;

import static io.convnet.kit.testing.TestServices.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kit.launch.RunningService;
import io.convnet.kit.testing.EchoWorker;
import io.convnet.kit.testing.Idle;
import io.convnet.kit.testing.TestServices;
import io.convnet.proto.ClassifyReply;
import io.convnet.proto.ClassifyRequest;
import io.convnet.proto.Exchanges;
import io.convnet.proto.ModelRef;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Requests with the same record key reach the same instance of a serving group (async jobs rely on it). */
@ExtendWith(KafkaBrokerExtension.class)
class KeyedRequestTest {

  static ClassifyRequest classify(String model) {
    return ClassifyRequest.newBuilder().setModel(ModelRef.newBuilder().setName(model)).build();
  }

  @Test
  void requestsWithOneKeyReachOneInstance() throws InterruptedException {
    RunningService asker = TestServices.start(Idle.definition("kr-asker", true), Map.of());
    RunningService first = TestServices.start(EchoWorker.definition("kr-worker"), Map.of());
    RunningService second = TestServices.start(EchoWorker.definition("kr-worker"), Map.of());
    try {
      KafkaRequester requester = asker.kit().requester();
      Duration timeout = Duration.ofSeconds(5);
      // wait until the group has settled: unkeyed requests (keyed by their random ids) reach both workers
      Set<String> seen = new HashSet<>();
      long until = System.nanoTime() + 20_000_000_000L;
      while (seen.size() < 2 && System.nanoTime() < until) {
        seen.add(await(requester.request(Exchanges.CLASSIFY, classify("any"), timeout)).getWorker());
        Thread.sleep(20);
      }
      assertThat(seen).hasSize(2);
      for (String key : new String[] {"job-a", "job-b", "job-c"}) {
        Set<String> workers = new HashSet<>();
        for (int i = 0; i < 12; i++) {
          ClassifyReply reply = await(requester.request(Exchanges.CLASSIFY, key, classify(key + i), timeout));
          assertThat(reply.getLabels(0)).isEqualTo(key + i);
          workers.add(reply.getWorker());
        }
        assertThat(workers).as("instances that answered key %s", key).hasSize(1);
      }
    } finally {
      TestServices.stop(asker, first, second);
    }
  }
}
