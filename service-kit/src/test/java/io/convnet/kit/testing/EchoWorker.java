package io.convnet.kit.testing;

import io.convnet.kit.ServiceException;
import io.convnet.kit.launch.ServiceDefinition;
import io.convnet.kit.launch.ServiceKit;
import io.convnet.proto.ClassifyReply;
import io.convnet.proto.ClassifyRequest;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.Exchanges;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * A test service answering CLASSIFY: it echoes the model name as the only label and its
 * instance id as the worker; model "missing" gets NOT_FOUND, model "boom" a plain exception.
 */
public final class EchoWorker extends VerticleBase {
  private final ServiceKit kit;

  public EchoWorker(ServiceKit kit) {
    this.kit = kit;
  }

  public static ServiceDefinition definition(String name) {
    return new ServiceDefinition(name, 0, false, EchoWorker::new);
  }

  @Override
  public Future<?> start() {
    return kit.responder().serve(Exchanges.CLASSIFY, this::answer);
  }

  private Future<ClassifyReply> answer(ClassifyRequest request) {
    String model = request.getModel().getName();
    if (model.equals("missing")) {
      return Future.failedFuture(new ServiceException(ErrorCode.NOT_FOUND, "model 'missing' is not served"));
    }
    if (model.equals("boom")) {
      throw new IllegalStateException("boom");
    }
    return Future.succeededFuture(ClassifyReply.newBuilder().addLabels(model).setWorker(kit.instanceId()).build());
  }
}
