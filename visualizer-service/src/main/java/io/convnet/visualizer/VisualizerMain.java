package io.convnet.visualizer;

import io.convnet.kit.launch.ServiceDefinition;
import io.convnet.kit.launch.ServiceLauncher;

/** Serves visualization requests (feature maps, filters, saliency) over Kafka. */
public final class VisualizerMain {
  public static final ServiceDefinition DEFINITION =
      new ServiceDefinition("visualizer-service", 8084, false, VisualizerVerticle::new);

  private VisualizerMain() {
  }

  public static void main(String[] args) {
    ServiceLauncher.run(DEFINITION);
  }
}
