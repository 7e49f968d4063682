package io.convnet.gateway.serving;

import io.convnet.proto.ClassifyReply;
import io.convnet.proto.ErrorCode;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Inference statistics of this gateway instance since it started, per model version, as Triton's
 * statistics extension names them: every classify request of every protocol counts. Durations
 * are the gateway's view: {@code success}/{@code fail} from sending the request over Kafka to its
 * reply; {@code queue}, {@code compute_input} (decoding and preprocessing) and
 * {@code compute_infer} (the TensorFlow call) as the worker reported them. Requests that named no
 * version count for the version being served; unknown models and versions do not count; requests
 * refused for their input count as failed (duration 0: they never reached a worker).
 */
public final class InferStats {
  /** A count and a cumulative duration in nanoseconds. */
  public record Duration(long count, long ns) {
    Duration plus(long nanos) {
      return new Duration(count + 1, ns + nanos);
    }
  }

  /** Per batch size the worker ran the request's images in. */
  public record Batch(Duration computeInput, Duration computeInfer, Duration computeOutput) {
  }

  /** One model version's figures. */
  public record Version(long lastInferenceMs, long inferenceCount, long executionCount, Duration success,
                        Duration fail, Duration queue, Duration computeInput, Duration computeInfer,
                        Duration computeOutput, SortedMap<Integer, Batch> batches) {
    static final Version NONE = new Version(0, 0, 0, new Duration(0, 0), new Duration(0, 0), new Duration(0, 0),
        new Duration(0, 0), new Duration(0, 0), new Duration(0, 0), new TreeMap<>());
  }

  private record Key(String model, long version) {
  }

  private final Map<Key, Version> versions = new ConcurrentHashMap<>();

  void success(String model, int items, ClassifyReply reply, long nanos) {
    var t = reply.getTiming();
    long queue = TimeUnit.MICROSECONDS.toNanos(t.getQueueMicros());
    long input = TimeUnit.MICROSECONDS.toNanos(t.getDecodeMicros());
    long infer = TimeUnit.MICROSECONDS.toNanos(t.getComputeMicros());
    versions.compute(new Key(model, reply.getModel().getVersion()), (k, v) -> {
      Version s = v == null ? Version.NONE : v;
      SortedMap<Integer, Batch> batches = new TreeMap<>(s.batches());
      Batch b = batches.getOrDefault(t.getBatchSize(), new Batch(new Duration(0, 0), new Duration(0, 0),
          new Duration(0, 0)));
      batches.put(t.getBatchSize(), new Batch(b.computeInput().plus(input), b.computeInfer().plus(infer),
          b.computeOutput().plus(0)));
      return new Version(System.currentTimeMillis(), s.inferenceCount() + items, s.executionCount() + 1,
          s.success().plus(nanos), s.fail(), s.queue().plus(queue), s.computeInput().plus(input),
          s.computeInfer().plus(infer), s.computeOutput().plus(0), batches);
    });
  }

  void failure(String model, long requestedVersion, ErrorCode code, long nanos) {
    if (code == ErrorCode.NOT_FOUND) {
      return;
    }
    versions.compute(new Key(model, requestedVersion), (k, v) -> {
      Version s = v == null ? Version.NONE : v;
      return new Version(s.lastInferenceMs(), s.inferenceCount(), s.executionCount(), s.success(),
          s.fail().plus(nanos), s.queue(), s.computeInput(), s.computeInfer(), s.computeOutput(), s.batches());
    });
  }

  /** The figures of one version; {@code served} also gets the failures of requests that named no version. */
  public Version of(String model, long version, boolean served) {
    Version v = versions.getOrDefault(new Key(model, version), Version.NONE);
    Version unversioned = served ? versions.get(new Key(model, 0)) : null;
    if (unversioned == null) {
      return v;
    }
    return new Version(v.lastInferenceMs(), v.inferenceCount(), v.executionCount(), v.success(),
        new Duration(v.fail().count() + unversioned.fail().count(), v.fail().ns() + unversioned.fail().ns()),
        v.queue(), v.computeInput(), v.computeInfer(), v.computeOutput(), v.batches());
  }
}
