package io.convnet.trainer;

import io.convnet.kit.launch.ServiceKit;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/** The trainer's verticle: the training issue adds the job consumer and its events. */
public final class TrainerVerticle extends VerticleBase {
  private final ServiceKit kit;

  public TrainerVerticle(ServiceKit kit) {
    this.kit = kit;
  }

  @Override
  public Future<?> start() {
    kit.statusDetails().put("jobs", "none");
    return Future.succeededFuture();
  }
}
