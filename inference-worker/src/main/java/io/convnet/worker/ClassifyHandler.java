package io.convnet.worker;

import io.convnet.kit.ServiceException;
import io.convnet.kit.config.Settings;
import io.convnet.kit.kafka.Deadline;
import io.convnet.proto.ClassScore;
import io.convnet.proto.ClassifyReply;
import io.convnet.proto.ClassifyRequest;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.ModelRef;
import io.convnet.proto.Prediction;
import io.convnet.proto.Timing;
import io.convnet.serving.batch.Scored;
import io.convnet.serving.cache.Lease;
import io.convnet.worker.metrics.InferenceMetrics;
import io.convnet.worker.model.CanaryShadow;
import io.convnet.worker.model.ServedModel;
import io.convnet.worker.model.WorkerModels;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * The classify exchange: resolve the model (holding a reference until the answer), decode and
 * preprocess every image (or take the rows of the request's float tensor) on the decode pool,
 * queue them for dynamic batching, answer once all are scored. A bad image fails only its own
 * request (INVALID_ARGUMENT with the decoder's reason). Work is bounded: more than
 * {@code maxImages} images (or tensor rows) are refused before anything is decoded
 * (PAYLOAD_TOO_LARGE), and once the asker's deadline has passed or an image of the request has
 * failed, its remaining images are neither decoded nor computed. A canary's answers may then be scored
 * by stable too ({@link CanaryShadow}), after the reply.
 */
final class ClassifyHandler {
  private final WorkerModels models;
  private final Executor decodePool;
  private final InferenceMetrics metrics;
  private final CanaryShadow shadow;
  private final String instanceId;
  private final int maxImages;

  ClassifyHandler(WorkerModels models, Executor decodePool, InferenceMetrics metrics, CanaryShadow shadow,
                  String instanceId, int maxImages) {
    this.models = models;
    this.decodePool = decodePool;
    this.metrics = metrics;
    this.shadow = shadow;
    this.instanceId = instanceId;
    this.maxImages = maxImages;
  }

  /** Runs on the responder's context; the answer completes there too. */
  Future<ClassifyReply> classify(ClassifyRequest request, Deadline deadline) {
    Context context = io.vertx.core.Vertx.currentContext();
    Executor onContext = r -> context.runOnContext(v -> r.run());
    Promise<ClassifyReply> promise = Promise.promise();
    int n = 0;
    ServiceException refused;
    try {
      n = ClassifyInputs.count(request);
      refused = n > maxImages ? new ServiceException(ErrorCode.PAYLOAD_TOO_LARGE, "the request has " + n
          + " images, more than the limit of " + maxImages + " per request ("
          + Settings.MAX_IMAGES_PER_REQUEST.name() + "); send them in several requests")
          : deadline.passed() ? expired(0, n) : null;
    } catch (ServiceException e) {
      refused = e;
    }
    if (refused != null) {
      metrics.failure("(unknown)", "", refused.code().name());
      return Future.failedFuture(refused);
    }
    int images = n;
    long t0 = System.nanoTime();
    models.acquire(request.getModel()).whenComplete((lease, error) -> {
      if (error != null) {
        ServiceException e = ServiceException.of(error instanceof CompletionException
            && error.getCause() != null ? error.getCause() : error);
        metrics.failure("(unknown)", "", e.code().name());
        onContext.execute(() -> promise.fail(e));
        return;
      }
      lease.model().meters().request(images);
      new Gather(request, deadline, lease, onContext, promise, t0).start();
    });
    return promise.future();
  }

  private static ServiceException expired(int done, int images) {
    return new ServiceException(ErrorCode.DEADLINE_EXCEEDED, "the asker's deadline passed with " + done + " of "
        + images + " images scored; the rest were dropped");
  }

  /** One request's images on their way through decoding and batching; its callbacks run on the context. */
  private final class Gather {
    private final ClassifyRequest request;
    private final Deadline deadline;
    private final Lease<ServedModel> lease;
    private final ServedModel model;
    private final Executor onContext;
    private final Promise<ClassifyReply> promise;
    private final long t0;
    private final Scored[] scored;
    private long decodeNanos;
    private int pending;
    /** The first failure of one of the images, in time (the reply's); null while none failed. */
    private ServiceException failure;
    /** Set (on the context) with {@link #failure}, read by the decode and batching threads. */
    private volatile boolean failed;

    Gather(ClassifyRequest request, Deadline deadline, Lease<ServedModel> lease, Executor onContext,
           Promise<ClassifyReply> promise, long t0) {
      this.request = request;
      this.deadline = deadline;
      this.lease = lease;
      this.model = lease.model();
      this.onContext = onContext;
      this.promise = promise;
      this.t0 = t0;
      this.pending = ClassifyInputs.count(request);
      this.scored = new Scored[pending];
    }

    /** Nobody will use this request's remaining results: the asker stopped waiting, or an image failed. */
    boolean abandoned() {
      return failed || deadline.passed();
    }

    void start() {
      model.batcher().expect(scored.length);
      for (int i = 0; i < scored.length; i++) {
        int index = i;
        decodePool.execute(() -> {
          if (abandoned()) {
            model.batcher().unexpect();
            onContext.execute(() -> done(index, null, null, 0));
            return;
          }
          String what = ClassifyInputs.describe(request, index);
          long t0 = System.nanoTime();
          float[] pixels;
          try {
            pixels = ClassifyInputs.input(request, index, model.input(), image -> models.input(model, image, what));
          } catch (RuntimeException e) {
            model.batcher().unexpect();
            onContext.execute(() -> done(index, null, ServiceException.of(e), 0));
            return;
          }
          long took = System.nanoTime() - t0;
          model.meters().decoded(took);
          model.batcher().submit(pixels, this::abandoned, onContext, (s, e) -> done(index, s,
              e == null || e instanceof CancellationException ? null
                  : new ServiceException(ErrorCode.INTERNAL, "inference failed: " + e.getMessage(), e), took));
        });
      }
    }

    /** One image's end: scored, failed, or (neither) dropped because the request was abandoned. */
    private void done(int index, Scored s, ServiceException error, long decode) {
      scored[index] = s;
      decodeNanos = Math.max(decodeNanos, decode);
      if (error != null && failure == null) {
        failure = error;
        failed = true;
      }
      if (--pending > 0) {
        return;
      }
      lease.close();
      long scoredImages = Arrays.stream(scored).filter(Objects::nonNull).count();
      ServiceException f = failure != null ? failure
          : scoredImages < scored.length ? expired((int) scoredImages, scored.length) : null;
      model.meters().answered(System.nanoTime() - t0, f != null);
      if (f != null) {
        metrics.failure(lease.name(), Integer.toString(lease.version()), f.code().name());
        promise.fail(f);
        return;
      }
      promise.complete(reply());
      shadow.afterAnswer(lease, (stable, i) -> ClassifyInputs.input(request, i, stable.input(),
          image -> models.input(stable, image, ClassifyInputs.describe(request, i))),
          Arrays.stream(scored).map(Scored::probabilities).toList());
    }

    private ClassifyReply reply() {
      List<String> labels = model.labels();
      ClassifyReply.Builder reply = ClassifyReply.newBuilder()
          .setModel(ModelRef.newBuilder().setName(lease.name()).setVersion(lease.version()))
          .addAllLabels(labels)
          .setWorker(instanceId);
      long queue = 0;
      long compute = 0;
      int batch = 0;
      for (Scored s : scored) {
        queue = Math.max(queue, s.queueNanos());
        compute = Math.max(compute, s.computeNanos());
        batch = Math.max(batch, s.batchSize());
        reply.addPredictions(prediction(labels, s.probabilities()));
      }
      return reply.setTiming(Timing.newBuilder()
          .setDecodeMicros(TimeUnit.NANOSECONDS.toMicros(decodeNanos))
          .setQueueMicros(TimeUnit.NANOSECONDS.toMicros(queue))
          .setComputeMicros(TimeUnit.NANOSECONDS.toMicros(compute))
          .setBatchSize(batch)).build();
    }
  }

  static Prediction prediction(List<String> labels, float[] probabilities) {
    Prediction.Builder p = Prediction.newBuilder();
    for (float v : probabilities) {
      p.addProbabilities(v);
    }
    IntStream.range(0, probabilities.length).boxed()
        .sorted(Comparator.comparingDouble((Integer i) -> probabilities[i]).reversed())
        .forEach(i -> p.addRanked(ClassScore.newBuilder().setLabel(labels.get(i)).setProbability(probabilities[i])));
    return p.build();
  }
}
