package io.convnet.bench;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.tensorflow.framework.DataType;
import org.tensorflow.framework.TensorProto;
import org.tensorflow.framework.TensorShapeProto;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.Predict.PredictResponse;
import tensorflow.serving.PredictionServiceGrpc;

/**
 * Closed-loop gRPC load through grpc-java's stock stub: {@code concurrency} callers on one channel
 * (HTTP/2 streams), each sending TF Serving's Predict with its next photo (signature serving_bytes,
 * the image as DT_STRING, as the HTTP benchmark posts it raw) when its last answer came.
 */
final class GrpcLoad {
  private GrpcLoad() {
  }

  static LoadGenerator.Sample predict(ManagedChannel channel, List<byte[]> photos, int concurrency, long ms) {
    PredictionServiceGrpc.PredictionServiceStub stub = PredictionServiceGrpc.newStub(channel);
    List<PredictRequest> requests = photos.stream().map(GrpcLoad::request).toList();
    ClosedLoop loop = new ClosedLoop(ms);
    CountDownLatch done = new CountDownLatch(concurrency);
    for (int i = 0; i < concurrency; i++) {
      call(stub, requests, loop, done);
    }
    try {
      done.await(ms + 60_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return loop.sample();
  }

  private static void call(PredictionServiceGrpc.PredictionServiceStub stub, List<PredictRequest> requests,
                           ClosedLoop loop, CountDownLatch done) {
    if (loop.over()) {
      done.countDown();
      return;
    }
    long s = System.nanoTime();
    stub.withDeadlineAfter(30, TimeUnit.SECONDS).predict(loop.next(requests), new StreamObserver<>() {
      @Override
      public void onNext(PredictResponse value) {
        loop.succeeded(s);
      }

      @Override
      public void onError(Throwable t) {
        loop.failed();
        call(stub, requests, loop, done);
      }

      @Override
      public void onCompleted() {
        call(stub, requests, loop, done);
      }
    });
  }

  private static PredictRequest request(byte[] photo) {
    return PredictRequest.newBuilder()
        .setModelSpec(ModelSpec.newBuilder().setName("cats-vs-dogs").setSignatureName("serving_bytes"))
        .putInputs("image_bytes", TensorProto.newBuilder().setDtype(DataType.DT_STRING)
            .setTensorShape(TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dim.newBuilder().setSize(1)))
            .addStringVal(ByteString.copyFrom(photo)).build())
        .build();
  }
}
