package io.convnet.kit.kafka;

import static io.convnet.kit.testing.TestServices.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kit.ServiceException;
import io.convnet.kit.launch.RunningService;
import io.convnet.kit.testing.EchoWorker;
import io.convnet.kit.testing.Idle;
import io.convnet.kit.testing.TestServices;
import com.google.protobuf.ByteString;
import com.google.protobuf.BytesValue;
import io.convnet.proto.ClassifyReply;
import io.convnet.proto.ClassifyRequest;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.Exchange;
import io.convnet.proto.Exchanges;
import io.convnet.proto.Headers;
import io.convnet.proto.ModelRef;
import io.convnet.proto.StatusPing;
import io.convnet.proto.StatusPong;
import io.convnet.proto.Topic;
import io.convnet.proto.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaBrokerExtension.class)
class MalformedRecordTest {
  /** Field 1, length-delimited, 127 bytes announced, none there: no protobuf parser accepts it. */
  static final byte[] GARBAGE = {0x0a, 0x7f, 0x01};

  static RunningService asker;
  static RunningService worker;

  @BeforeAll
  static void start() {
    asker = TestServices.start(Idle.definition("mal-asker", true), Map.of());
    worker = TestServices.start(EchoWorker.definition("mal-worker"), Map.of());
  }

  @AfterAll
  static void stop() {
    TestServices.stop(asker, worker);
  }

  @Test
  void aMalformedClassifyRequestIsSkippedAndTheConsumerGoesOn() throws Exception {
    // One garbage record on every partition: bare, so nobody can be told.
    for (int p = 0; p < Topics.CLASSIFY_REQUESTS.defaultPartitions(); p++) {
      asker.kit().producer().send(new ProducerRecord<>(Topics.CLASSIFY_REQUESTS.name(), p, "junk", GARBAGE)).get();
    }
    var reply = await(asker.kit().requester().request(Exchanges.CLASSIFY,
        ClassifyRequest.newBuilder().setModel(ModelRef.newBuilder().setName("after-junk")).build()));
    assertThat(reply.getLabelsList()).containsExactly("after-junk");
    assertThat(skipped(worker.kit().registry(), "classify", "no-reply-address")).isGreaterThanOrEqualTo(4);
  }

  @Test
  void aMalformedRequestWithReplyHeadersGetsAnInvalidArgumentReply() throws Exception {
    double before = skipped(worker.kit().registry(), "classify", "malformed");
    int replyPartition = asker.kit().requester().ownedPartitions()[0];
    RecordHeaders headers = new RecordHeaders();
    headers.add(Headers.CORRELATION_ID, bytes("not-pending"));
    headers.add(Headers.REPLY_TOPIC, bytes(Topics.REPLIES.name()));
    headers.add(Headers.REPLY_PARTITION, bytes(String.valueOf(replyPartition)));
    headers.add(Headers.EXCHANGE, bytes("classify"));
    asker.kit().producer().send(new ProducerRecord<>(Topics.CLASSIFY_REQUESTS.name(), null, "x", GARBAGE, headers)).get();

    // Through the requester: a request whose bytes are no ClassifyRequest gets its error reply.
    Topic<BytesValue> rawClassify = new Topic<>(Topics.CLASSIFY_REQUESTS.name(), BytesValue.parser(), 4, false);
    Exchange<BytesValue, ClassifyReply> garbageExchange = new Exchange<>("classify", rawClassify, ClassifyReply.parser(), false);
    BytesValue garbage = BytesValue.of(ByteString.copyFrom(GARBAGE));
    assertThatThrownBy(() -> await(asker.kit().requester().request(garbageExchange, garbage)))
        .isInstanceOfSatisfying(ServiceException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
          assertThat(e.getMessage()).startsWith("malformed classify request");
        });
    assertThat(skipped(worker.kit().registry(), "classify", "malformed")).isGreaterThanOrEqualTo(before + 2);
    // The reply to "not-pending" found no waiting request: counted, dropped.
    assertThat(asker.kit().registry().get("convnet.replies.unmatched").counter().count()).isGreaterThanOrEqualTo(1);
  }

  @Test
  void aMalformedStatusPingIsSkippedAndPingsStillWork() throws Exception {
    double before = skippedAnyReason(worker.kit().registry(), "status");
    asker.kit().producer().send(new ProducerRecord<>(Topics.STATUS_PINGS.name(), 0, "junk", GARBAGE)).get();
    // Later pings are still answered by both instances. A loaded machine may answer one late,
    // so ask again (each gather is a fresh ping) until both are in, for at most 30 s.
    Set<String> answered = new HashSet<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!answered.containsAll(Set.of(worker.kit().instanceId(), asker.kit().instanceId()))
        && System.nanoTime() < deadline) {
      List<StatusPong> pongs = await(asker.kit().requester().gather(Exchanges.STATUS,
          StatusPing.getDefaultInstance(), Duration.ofMillis(800)));
      pongs.forEach(p -> answered.add(p.getInstanceId()));
    }
    assertThat(answered).contains(worker.kit().instanceId(), asker.kit().instanceId());
    // headerless junk is skipped before parsing (no reply address); either way it is counted
    assertThat(skippedAnyReason(worker.kit().registry(), "status")).isGreaterThan(before);
  }

  static double skipped(MeterRegistry registry, String exchange, String reason) {
    var counter = registry.find("convnet.responder.records.skipped").tags("exchange", exchange, "reason", reason).counter();
    return counter == null ? 0 : counter.count();
  }

  static double skippedAnyReason(MeterRegistry registry, String exchange) {
    return registry.find("convnet.responder.records.skipped").tags("exchange", exchange).counters().stream()
        .mapToDouble(c -> c.count()).sum();
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
