package io.convnet.gateway;

import io.convnet.kit.launch.ServiceDefinition;
import io.convnet.kit.launch.ServiceLauncher;

/** The HTTP edge: REST API over Kafka. Health and metrics share its API port (8080). */
public final class GatewayMain {
  public static final ServiceDefinition DEFINITION = new ServiceDefinition("gateway", 8080, true, GatewayVerticle::new);

  private GatewayMain() {
  }

  public static void main(String[] args) {
    ServiceLauncher.run(DEFINITION);
  }
}
