package io.convnet.kit.testing;

import io.convnet.kit.launch.ServiceDefinition;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/** A service with nothing of its own: only what the launcher gives every service. */
public final class Idle extends VerticleBase {

  public static ServiceDefinition definition(String name, boolean requestsOverKafka) {
    return new ServiceDefinition(name, 0, requestsOverKafka, kit -> new Idle());
  }

  @Override
  public Future<?> start() {
    return Future.succeededFuture();
  }
}
