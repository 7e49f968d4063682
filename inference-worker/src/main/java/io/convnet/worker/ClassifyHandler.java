package io.convnet.worker;

import io.convnet.kit.ServiceException;
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
import io.convnet.worker.model.ServedModel;
import io.convnet.worker.model.WorkerModels;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * The classify exchange: resolve the model (holding a reference until the answer), decode and
 * preprocess every image (or take the rows of the request's float tensor) on the decode pool,
 * queue them for dynamic batching, answer once all are scored. A bad image fails only its own
 * request (INVALID_ARGUMENT with the decoder's reason).
 */
final class ClassifyHandler {
  private final WorkerModels models;
  private final Executor decodePool;
  private final InferenceMetrics metrics;
  private final String instanceId;

  ClassifyHandler(WorkerModels models, Executor decodePool, InferenceMetrics metrics, String instanceId) {
    this.models = models;
    this.decodePool = decodePool;
    this.metrics = metrics;
    this.instanceId = instanceId;
  }

  /** Runs on the responder's context; the answer completes there too. */
  Future<ClassifyReply> classify(ClassifyRequest request) {
    Context context = io.vertx.core.Vertx.currentContext();
    Executor onContext = r -> context.runOnContext(v -> r.run());
    Promise<ClassifyReply> promise = Promise.promise();
    int n;
    try {
      n = ClassifyInputs.count(request);
    } catch (ServiceException e) {
      metrics.failure("(unknown)", "", e.code().name());
      return Future.failedFuture(e);
    }
    models.acquire(request.getModel().getName(), request.getModel().getVersion()).whenComplete((lease, error) -> {
      if (error != null) {
        ServiceException e = ServiceException.of(error instanceof java.util.concurrent.CompletionException
            && error.getCause() != null ? error.getCause() : error);
        metrics.failure("(unknown)", "", e.code().name());
        onContext.execute(() -> promise.fail(e));
        return;
      }
      lease.model().meters().request(n);
      new Gather(request, lease, onContext, promise).start();
    });
    return promise.future();
  }

  /** One request's images on their way through decoding and batching; its callbacks run on the context. */
  private final class Gather {
    private final ClassifyRequest request;
    private final Lease<ServedModel> lease;
    private final ServedModel model;
    private final Executor onContext;
    private final Promise<ClassifyReply> promise;
    private final Scored[] scored;
    private final ServiceException[] failures;
    private long decodeNanos;
    private int pending;

    Gather(ClassifyRequest request, Lease<ServedModel> lease, Executor onContext, Promise<ClassifyReply> promise) {
      this.request = request;
      this.lease = lease;
      this.model = lease.model();
      this.onContext = onContext;
      this.promise = promise;
      this.pending = ClassifyInputs.count(request);
      this.scored = new Scored[pending];
      this.failures = new ServiceException[pending];
    }

    void start() {
      model.batcher().expect(scored.length);
      for (int i = 0; i < scored.length; i++) {
        int index = i;
        decodePool.execute(() -> {
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
          model.batcher().submit(pixels, onContext, (s, e) -> done(index, s, e == null ? null
              : new ServiceException(ErrorCode.INTERNAL, "inference failed: " + e.getMessage(), e), took));
        });
      }
    }

    private void done(int index, Scored s, ServiceException failure, long decode) {
      scored[index] = s;
      failures[index] = failure;
      decodeNanos = Math.max(decodeNanos, decode);
      if (--pending > 0) {
        return;
      }
      lease.close();
      for (ServiceException f : failures) {
        if (f != null) {
          metrics.failure(lease.name(), Integer.toString(lease.version()), f.code().name());
          promise.fail(f);
          return;
        }
      }
      promise.complete(reply());
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
