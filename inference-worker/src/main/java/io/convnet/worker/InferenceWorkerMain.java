package io.convnet.worker;

import io.convnet.kit.launch.ServiceDefinition;
import io.convnet.kit.launch.ServiceLauncher;

/** Serves classification requests from the inference-worker consumer group. */
public final class InferenceWorkerMain {
  public static final ServiceDefinition DEFINITION =
      new ServiceDefinition("inference-worker", 8082, false, InferenceWorkerVerticle::new);

  private InferenceWorkerMain() {
  }

  public static void main(String[] args) {
    ServiceLauncher.run(DEFINITION);
  }
}
