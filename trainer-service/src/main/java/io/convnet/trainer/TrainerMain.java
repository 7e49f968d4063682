package io.convnet.trainer;

import io.convnet.kit.launch.ServiceDefinition;
import io.convnet.kit.launch.ServiceLauncher;

/** Runs training jobs from Kafka one at a time, streams their events, publishes the models. */
public final class TrainerMain {
  public static final ServiceDefinition DEFINITION = new ServiceDefinition("trainer-service", 8081, false, TrainerVerticle::new);

  private TrainerMain() {
  }

  public static void main(String[] args) {
    ServiceLauncher.run(DEFINITION);
  }
}
