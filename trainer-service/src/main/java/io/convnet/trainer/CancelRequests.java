package io.convnet.trainer;

import io.convnet.kit.kafka.KafkaClients;
import io.convnet.kit.kafka.TopicFollower;
import io.convnet.proto.Topics;
import io.convnet.proto.TrainControl;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jobs someone asked to cancel. Every trainer instance reads the whole control topic (no
 * group): the one running a job stops it, and a job cancelled while it waited in the queue is
 * skipped when an instance reaches it, however long ago the cancel was sent.
 */
final class CancelRequests {
  private static final Logger LOG = LoggerFactory.getLogger(CancelRequests.class);

  private final Set<String> cancelled = ConcurrentHashMap.newKeySet();
  private final TopicFollower<TrainControl> follower;

  CancelRequests(Context context, KafkaClients clients) {
    this.follower = new TopicFollower<>(context, clients, Topics.TRAIN_CONTROL, entry -> {
      TrainControl control = entry.value();
      String jobId = control.getJobId().isEmpty() ? entry.key() : control.getJobId();
      if (control.getAction() == TrainControl.Action.CANCEL && jobId != null && cancelled.add(jobId)) {
        LOG.info("job {}: cancel requested", jobId);
      }
    });
  }

  /** Completes once every control message sent before now is known. */
  Future<Void> start() {
    return follower.start();
  }

  boolean isCancelled(String jobId) {
    return cancelled.contains(jobId);
  }

  Future<Void> check() {
    return follower.check();
  }

  Future<Void> close() {
    return follower.close();
  }
}
