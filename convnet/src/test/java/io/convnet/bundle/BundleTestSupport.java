package io.convnet.bundle;

import java.util.List;
import java.util.Map;

/** Manifest templates for tests (here and in other modules, via the test-jar). */
public final class BundleTestSupport {
  private BundleTestSupport() {}

  public static Manifest manifest(String name, List<String> labels) {
    return new Manifest(Manifest.FORMAT_VERSION, name, 0, "test-cnn", java.time.Instant.now().toString(), null,
        new Manifest.Preprocessing("RESCALE", 1 / 255.0), labels, null, null, null,
        new Manifest.Metrics(0.5, 0.8, 0.6, 0.7, 1, 1), Map.of("optimizer", "rmsprop"), null);
  }
}
