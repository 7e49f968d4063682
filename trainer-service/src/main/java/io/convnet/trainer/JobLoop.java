package io.convnet.trainer;

import com.google.protobuf.InvalidProtocolBufferException;
import io.convnet.kit.kafka.KafkaClients;
import io.convnet.kit.kafka.PollLoop;
import io.convnet.proto.Error;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.Topics;
import io.convnet.proto.TrainEvent;
import io.convnet.proto.TrainJob;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes training jobs from {@link Topics#TRAIN_JOBS}, one at a time per instance, in the
 * consumer group {@code trainer-service}. While a job runs (on its own thread) the assignment
 * is paused and polling goes on, so the group keeps this instance and other jobs wait in the
 * topic. A job's offset is committed only once the job has ended (published, failed or
 * cancelled): when the instance dies, the partition's next owner runs the job again and
 * resumes it from its last epoch checkpoint. When partitions move away or the instance stops,
 * the running job is let go (not committed) for the next owner to resume.
 */
final class JobLoop extends PollLoop {
  private static final Logger LOG = LoggerFactory.getLogger(JobLoop.class);
  static final String GROUP = "trainer-service";
  /** Stopping a job waits for its current step (or validation pass) and checkpoint. */
  private static final long LET_GO_TIMEOUT_S = 300;

  /** The job being run: where it came from, its result, and the flag that lets it go. */
  private record Current(TopicPartition tp, long offset, String jobId, java.util.concurrent.Future<JobRun.Result> result,
                         AtomicReference<String> letGo) {
  }

  private final TrainerEnvironment env;
  private final ExecutorService trainingThread;
  private Current current;

  JobLoop(Context context, KafkaClients clients, TrainerEnvironment env) {
    super(context, "train-jobs", clients.consumer("train-jobs", GROUP, Map.of(
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1,
        // Jobs submitted before any trainer ran are still run.
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        // Polling goes on while a job runs; only letting a job go (inside a rebalance) takes long.
        ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) TimeUnit.SECONDS.toMillis(LET_GO_TIMEOUT_S + 60))));
    this.env = env;
    this.trainingThread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "convnet-training");
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  protected void open() {
    consumer.subscribe(List.of(Topics.TRAIN_JOBS.name()), new OneJobAtATime());
  }

  @Override
  protected void turn() {
    if (current != null && current.result().isDone()) {
      finish();
    }
    if (current != null) {
      consumer.pause(consumer.assignment());
    } else {
      consumer.resume(consumer.paused());
    }
    for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(current != null ? 200 : 500))) {
      accept(record);
    }
  }

  private void accept(ConsumerRecord<String, byte[]> record) {
    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
    if (current != null) {  // from a partition assigned during this poll: leave it for later
      consumer.seek(tp, record.offset());
      consumer.pause(List.of(tp));
      return;
    }
    TrainJob job;
    try {
      job = Topics.TRAIN_JOBS.parse(record.value() == null ? new byte[0] : record.value());
    } catch (InvalidProtocolBufferException e) {
      LOG.warn("train job on partition {} offset {} is not a valid TrainJob ({}): skipped", record.partition(),
          record.offset(), e.getMessage());
      if (record.key() != null) {
        env.events().send(env.events().event(record.key()).setFailed(TrainEvent.Failed.newBuilder().setError(
            Error.newBuilder().setCode(ErrorCode.INVALID_ARGUMENT).setMessage("malformed train job record: "
                + e.getMessage()))).build());
      }
      commit(tp, record.offset());
      return;
    }
    String jobId = job.getJobId().isEmpty() ? String.valueOf(record.key()) : job.getJobId();
    AtomicReference<String> letGo = new AtomicReference<>();
    LOG.info("job {} taken from partition {} offset {}", jobId, record.partition(), record.offset());
    env.status().accept(jobId + " starting");
    current = new Current(tp, record.offset(), jobId,
        trainingThread.submit(() -> new JobRun(env, job, jobId, letGo::get).run()), letGo);
    consumer.pause(consumer.assignment());
  }

  /** The running job is done: commit it when it ended, else leave it to be taken again. */
  private void finish() {
    Current c = current;
    current = null;
    env.status().accept("none");
    JobRun.Result result = result(c);
    if (result == JobRun.Result.ENDED) {
      commit(c.tp(), c.offset());
    } else if (consumer.assignment().contains(c.tp())) {
      consumer.seek(c.tp(), c.offset());
      if (result == null) {
        sleepQuietly(2_000);  // e.g. Kafka unreachable for the terminal event: do not spin
      }
    }
  }

  /** Stops the running job without ending it and waits for it; then {@link #finish()}es it. */
  private void letGo(String why) {
    if (current == null) {
      return;
    }
    LOG.info("job {}: letting it go ({})", current.jobId(), why);
    current.letGo().set(why);
    try {
      current.result().get(LET_GO_TIMEOUT_S, TimeUnit.SECONDS);
    } catch (Exception e) {
      // finish() sorts it out
    }
  }

  private JobRun.Result result(Current c) {
    if (!c.result().isDone()) {
      return null;
    }
    try {
      return c.result().get();
    } catch (ExecutionException e) {
      LOG.error("job {} could not be ended; it will be taken again", c.jobId(), e.getCause());
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private void commit(TopicPartition tp, long offset) {
    try {
      consumer.commitSync(Map.of(tp, new OffsetAndMetadata(offset + 1)), Duration.ofSeconds(10));
    } catch (WakeupException e) {
      consumer.commitSync(Map.of(tp, new OffsetAndMetadata(offset + 1)), Duration.ofSeconds(10));
    } catch (KafkaException e) {
      // Whoever takes the job again finds its recorded ending (FinishedJobs) and does not train twice.
      LOG.warn("committing {} offset {} failed: {}", tp, offset, e.toString());
    }
  }

  @Override
  protected void shutDown() {
    try {
      letGo("stopping");
      if (current != null) {
        Current c = current;
        current = null;
        if (result(c) == JobRun.Result.ENDED) {
          commit(c.tp(), c.offset());
        }
      }
    } finally {
      trainingThread.shutdown();
    }
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Partitions moving while a job runs: a job on a revoked partition is let go before it moves. */
  private final class OneJobAtATime implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      if (current != null && partitions.contains(current.tp())) {
        letGo("its partition " + current.tp().partition() + " moves to another instance");
        finish();
      }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      onPartitionsRevoked(partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (current != null) {
        consumer.pause(partitions);
      }
      if (!partitions.isEmpty()) {
        LOG.info("train job partitions assigned {}", partitions);
      }
    }
  }
}
