package io.convnet.e2e;

import io.convnet.bundle.BundleStore;
import io.convnet.bundle.BundleTestSupport;
import io.convnet.nn.Model;
import io.convnet.testing.TinyModels;
import java.nio.file.Path;
import java.util.List;

/** A model store for workers started by a test: an untrained tiny CNN as cats-vs-dogs version 1 (speed, not accuracy). */
final class TinyStore {
  private TinyStore() {
  }

  /** Publishes the model under {@code dir}/models and returns that store's root. */
  static Path catsVsDogs(Path dir) {
    Path store = dir.resolve("models");
    try (Model m = TinyModels.cnn(16, 2).build(7)) {
      new BundleStore(store).publish("cats-vs-dogs", m, BundleTestSupport.manifest("cats-vs-dogs", List.of("cat", "dog")));
    }
    return store;
  }
}
