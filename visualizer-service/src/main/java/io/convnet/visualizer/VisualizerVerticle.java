package io.convnet.visualizer;

import io.convnet.kit.ServiceException;
import io.convnet.kit.launch.ServiceKit;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.Exchanges;
import io.convnet.proto.VisualizeReply;
import io.convnet.proto.VisualizeRequest;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * Takes its share of the visualize requests; with no model loaded yet each gets an
 * UNAVAILABLE reply. The visualization issue fills this in.
 */
public final class VisualizerVerticle extends VerticleBase {
  private final ServiceKit kit;

  public VisualizerVerticle(ServiceKit kit) {
    this.kit = kit;
  }

  @Override
  public Future<?> start() {
    kit.statusDetails().put("models", "none");
    return kit.responder().serve(Exchanges.VISUALIZE, this::visualize);
  }

  private Future<VisualizeReply> visualize(VisualizeRequest request) {
    return Future.failedFuture(new ServiceException(ErrorCode.UNAVAILABLE,
        "no model loaded on " + kit.instanceId() + " (asked for '" + request.getModel().getName() + "')"));
  }
}
