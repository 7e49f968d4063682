package io.convnet.visualizer;

import static io.convnet.kit.testing.TestServices.await;

import io.convnet.kit.config.Settings;
import io.convnet.kit.launch.RunningService;
import io.convnet.kit.testing.Idle;
import io.convnet.kit.testing.TestServices;
import io.convnet.proto.Exchanges;
import io.convnet.proto.VisualizeReply;
import io.convnet.proto.VisualizeRequest;
import io.convnet.testing.TinyBundles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A visualizer over the test broker, its store holding the small trained bundle {@code bars} (trained on
 * {@code <dir>/data/bars}), and a service that asks it over Kafka as the gateway does.
 */
final class VisualizerFixture {
  final Path store;
  final RunningService visualizer;
  final RunningService asker;
  /** A validation image of the bundle's data set. */
  final byte[] dog;

  private VisualizerFixture(Path store, RunningService visualizer, RunningService asker, byte[] dog) {
    this.store = store;
    this.visualizer = visualizer;
    this.asker = asker;
    this.dog = dog;
  }

  /** @param settings the visualizer's settings beyond store, data root and cache (all under {@code dir}) */
  static VisualizerFixture start(Path dir, String askerName, Map<String, String> settings) {
    TinyBundles.trained(dir.resolve("models"), "bars", dir.resolve("data"));
    Map<String, String> all = new HashMap<>(settings);
    all.put(Settings.MODEL_STORE.name(), dir.resolve("models").toString());
    all.put(Settings.DATA_ROOT.name(), dir.resolve("data").toString());
    all.put(VisualizerSettings.CACHE_DIR.name(), dir.resolve("cache").toString());
    try {
      byte[] dog = Files.readAllBytes(dir.resolve("data/bars/validation/dog/dog.1.png"));
      return new VisualizerFixture(dir.resolve("models"), TestServices.start(VisualizerMain.DEFINITION, all),
          TestServices.start(Idle.definition(askerName, true), Map.of()), dog);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Asks the visualizer, keyed by the job id when there is one (as the gateway does). */
  VisualizeReply ask(VisualizeRequest r) {
    return await(asker.kit().requester().request(Exchanges.VISUALIZE, r.getJobId().isEmpty() ? null : r.getJobId(), r,
        Duration.ofSeconds(30)));
  }

  void stop() {
    TestServices.stop(asker, visualizer);
  }
}
