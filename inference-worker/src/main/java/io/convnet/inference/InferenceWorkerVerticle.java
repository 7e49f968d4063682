package io.convnet.inference;

import io.convnet.kit.ServiceException;
import io.convnet.kit.launch.ServiceKit;
import io.convnet.proto.ClassifyReply;
import io.convnet.proto.ClassifyRequest;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.Exchanges;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * Takes its share of the classify requests. No model can be loaded yet, so every request
 * gets an honest UNAVAILABLE reply; the serving issue loads models and batches requests.
 */
public final class InferenceWorkerVerticle extends VerticleBase {
  private final ServiceKit kit;

  public InferenceWorkerVerticle(ServiceKit kit) {
    this.kit = kit;
  }

  @Override
  public Future<?> start() {
    kit.statusDetails().put("models", "none");
    return kit.responder().serve(Exchanges.CLASSIFY, this::classify);
  }

  private Future<ClassifyReply> classify(ClassifyRequest request) {
    return Future.failedFuture(new ServiceException(ErrorCode.UNAVAILABLE,
        "no model loaded on " + kit.instanceId() + " (asked for '" + request.getModel().getName() + "')"));
  }
}
