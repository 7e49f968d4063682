package io.convnet.kit.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OffsetTrackerTest {
  static final TopicPartition TP = new TopicPartition("t", 0);

  @Test
  void commitsOnlyUpToTheOldestRecordStillInFlight() {
    OffsetTracker tracker = new OffsetTracker();
    tracker.started(TP, 10);
    tracker.started(TP, 11);
    tracker.started(TP, 12);
    tracker.finished(TP, 11);
    tracker.finished(TP, 12);
    assertThat(tracker.committable().get(TP).offset()).isEqualTo(10);
    tracker.committed(tracker.committable());
    assertThat(tracker.committable()).isEmpty();
    tracker.finished(TP, 10);
    assertThat(tracker.committable().get(TP).offset()).isEqualTo(13);
  }

  @Test
  void forgetsPartitionsThatMovedAway() {
    OffsetTracker tracker = new OffsetTracker();
    tracker.started(TP, 5);
    tracker.forget(List.of(TP));
    tracker.finished(TP, 5);
    assertThat(tracker.committable()).isEmpty();
  }
}
