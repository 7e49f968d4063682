package io.convnet.bench;

import io.convnet.arch.Architectures;
import io.convnet.bundle.BundleStore;
import io.convnet.bundle.BundleTestSupport;
import io.convnet.data.Preprocessing;
import io.convnet.image.ImageDecoder;
import io.convnet.infer.Predictor;
import io.convnet.kit.config.KitConfig;
import io.convnet.kit.launch.RunningService;
import io.convnet.kit.launch.ServiceDefinition;
import io.convnet.kit.launch.ServiceLauncher;
import io.convnet.nn.Model;
import io.convnet.util.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** What the serving benchmarks share: a model store with the tutorial CNN, real photos, services in this JVM. */
final class BenchSetup {
  private BenchSetup() {
  }

  /**
   * A store holding {@code cats-vs-dogs} version 1: a copy of the bundle named by
   * {@code -Dconvnet.bench.bundle}, else an untrained tutorial CNN (same shapes, same cost).
   */
  static Path store(Path dir) throws IOException {
    Path store = Files.createDirectories(dir.resolve("models"));
    String given = System.getProperty("convnet.bench.bundle");
    if (given != null) {
      copy(Path.of(given), store.resolve("cats-vs-dogs").resolve("1"));
    } else {
      try (Model m = Architectures.get("tutorial-cnn").define(150, 2).name("cats-vs-dogs").build(1)) {
        new BundleStore(store).publish("cats-vs-dogs", m, BundleTestSupport.manifest("cats-vs-dogs", List.of("cat", "dog")));
      }
    }
    return store;
  }

  static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  /** Publishes a copy of version 1 as {@code version}, atomically as the store does. */
  static void copyVersion(Path modelDir, int version) throws IOException {
    Path tmp = modelDir.resolve(".tmp-bench-" + version);
    copy(modelDir.resolve("1"), tmp);
    Files.move(tmp, modelDir.resolve(Integer.toString(version)), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    FileTrees.delete(tmp);
  }

  /** Real JPEGs of the validation set, cats and dogs alternating. */
  static List<byte[]> photos(int count) throws IOException {
    Path root = Path.of(System.getProperty("convnet.datasets", "../shared/datasets"), "cats-vs-dogs", "validation");
    List<byte[]> out = new ArrayList<>();
    List<Path> cats;
    List<Path> dogs;
    try (Stream<Path> c = Files.list(root.resolve("cat")); Stream<Path> d = Files.list(root.resolve("dog"))) {
      cats = c.sorted().limit(count).toList();
      dogs = d.sorted().limit(count).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("the benchmarks need the cats-vs-dogs data set under " + root
          + " (-Dconvnet.datasets=...)", e);
    }
    for (int i = 0; out.size() < count; i++) {
      out.add(Files.readAllBytes((i % 2 == 0 ? cats : dogs).get(i / 2 % cats.size())));
    }
    return out;
  }

  static RunningService start(ServiceDefinition definition, String bootstrap, Map<String, String> settings) {
    Map<String, String> env = new HashMap<>();
    env.put("CONVNET_KAFKA_BOOTSTRAP_SERVERS", bootstrap);
    env.put("CONVNET_HTTP_HOST", "127.0.0.1");
    env.put("CONVNET_HTTP_PORT", "0");
    env.put("CONVNET_INSTANCE_ID", definition.name() + "-bench");
    env.put("CONVNET_REQUEST_TIMEOUT_MS", "60000");
    env.put("CONVNET_MAX_IN_FLIGHT", "1024");
    env.putAll(settings);
    try {
      return ServiceLauncher.start(definition, new KitConfig(definition.name(), 0, env)).toCompletionStage()
          .toCompletableFuture().get(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("could not start " + definition.name(), e);
    }
  }

  /** In process, as a caller without the cluster would: decode, preprocess and predict {@code images} in one call. */
  static float[][] classifyInProcess(Predictor predictor, List<byte[]> images, int from, int n) {
    var in = predictor.manifest().input();
    Preprocessing prep = Preprocessing.rescale(in.height(), in.width());
    float[] batch = new float[n * prep.floatsPerImage()];
    for (int i = 0; i < n; i++) {
      prep.toFloats(prep.load(ImageDecoder.standard(), images.get((from + i) % images.size()), "bench"), batch,
          i * prep.floatsPerImage());
    }
    return predictor.predict(batch, n);
  }

  static long rssKb(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IOException("no VmRSS for process " + pid);
  }

  /** The CPU's model name, as {@code lscpu} shows it. */
  static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
