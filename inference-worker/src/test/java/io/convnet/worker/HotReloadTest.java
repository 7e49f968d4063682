package io.convnet.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.convnet.arch.Architectures;
import io.convnet.bundle.BundleStore;
import io.convnet.bundle.BundleTestSupport;
import io.convnet.image.TestImages;
import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kit.config.Settings;
import io.convnet.kit.launch.RunningService;
import io.convnet.kit.testing.Idle;
import io.convnet.kit.testing.TestServices;
import io.convnet.nn.Model;
import io.convnet.proto.ClassifyRequest;
import io.convnet.proto.Exchanges;
import io.convnet.proto.Image;
import io.convnet.proto.ModelRef;
import io.convnet.util.FileTrees;
import io.convnet.worker.config.WorkerSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Twenty switches of the tutorial CNN (22 MB of weights per version) under steady requests, while
 * another client keeps asking for old versions in turn (each one loaded into the cache of two old
 * versions, the least recently used one unloaded): not one request fails, and the process keeps
 * neither the switched-from nor the evicted versions (a leaked version would cost tens of MB each;
 * the bound is generous for a shared, noisy machine; {@code ./bench-serving.sh memory} and {@code
 * versions} measure precisely in a process of its own).
 */
@ExtendWith(KafkaBrokerExtension.class)
class HotReloadTest {
  static final int WARM_UP = 3;
  static final int SWITCHES = 20;

  @TempDir
  Path tmp;

  @Test
  void twentySwitchesAndOldVersionsUnderLoadFailNoRequestAndLeaveNoMemoryBehind() throws Exception {
    Path store = Files.createDirectories(tmp.resolve("models"));
    try (Model m = Architectures.get("tutorial-cnn").define(150, 2).name("cats-vs-dogs").build(1)) {
      new BundleStore(store).publish("cats-vs-dogs", m, BundleTestSupport.manifest("cats-vs-dogs", List.of("cat", "dog")));
    }
    RunningService worker = TestServices.start(InferenceWorkerMain.DEFINITION, Map.of(
        Settings.MODEL_STORE.name(), store.toString(),
        WorkerSettings.MODEL_POLL_MS.name(), "0",
        WorkerSettings.MODEL_CACHE_VERSIONS.name(), "2",
        WorkerSettings.SCORE_ENABLED.name(), "false"));
    // an old version's request waits for its load, behind others on the one loader thread: minutes on a busy machine
    RunningService asker = TestServices.start(Idle.definition("reload-asker", true),
        Map.of(Settings.REQUEST_TIMEOUT_MS.name(), "120000"));
    byte[] jpeg = TestImages.jpeg(TestImages.stripes(180, 1, 2));
    ClassifyRequest request = ClassifyRequest.newBuilder().setModel(ModelRef.newBuilder().setName("cats-vs-dogs"))
        .addImages(Image.newBuilder().setData(ByteString.copyFrom(jpeg))).build();
    Set<Long> oldVersionsAnswered = ConcurrentHashMap.newKeySet();
    AtomicLong asked = new AtomicLong();
    try (SteadyLoad load = new SteadyLoad(3, () -> asker.kit().requester().request(Exchanges.CLASSIFY, request));
         SteadyLoad old = new SteadyLoad(1, () -> {  // old versions in turn, 1, 2, ... below the served one: the LRU loads and unloads
           long version = 1 + asked.getAndIncrement() % Math.max(1, load.highestVersion() - 1);
           return asker.kit().requester().request(Exchanges.CLASSIFY, request.toBuilder()
               .setModel(request.getModel().toBuilder().setVersion(version)).build())
               .onSuccess(reply -> oldVersionsAnswered.add(reply.getModel().getVersion()));
         })) {
      long before = 0;
      for (int v = 2; v <= 1 + WARM_UP + SWITCHES; v++) {
        if (v == 2 + WARM_UP) {
          before = settledRssKb();
        }
        copyVersion(store.resolve("cats-vs-dogs"), v);
        TestBundles.announce(asker.kit().config().bootstrapServers(), "cats-vs-dogs", v);
        long until = System.nanoTime() + 60_000_000_000L;
        while (load.highestVersion() < v && System.nanoTime() < until) {
          Thread.sleep(10);
        }
        assertThat(load.highestVersion()).as("served version").isEqualTo(v);
      }
      Thread.sleep(500);  // the last old version closes once its requests end
      long after = settledRssKb();
      load.close();
      long growthMb = (after - before) / 1024;
      old.close();
      System.out.printf("%d switches, %d requests answered, %d old versions asked for, RSS outside the heap %d MB -> %d MB"
          + " (%+d MB), failures %s %s%n", SWITCHES, load.answered.get(), oldVersionsAnswered.size(), before / 1024,
          after / 1024, growthMb, load.failures, old.failures);
      assertThat(load.failures).as("failed requests during the switches").isEmpty();
      assertThat(old.failures).as("failed requests for old versions").isEmpty();
      assertThat(load.answered.get()).isGreaterThan(SWITCHES);
      assertThat(oldVersionsAnswered).as("old versions served (a cache of 2: the others unloaded)").hasSizeGreaterThan(4);
      assertThat(growthMb).as("RSS growth over %d switches (a leaked version costs tens of MB)", SWITCHES).isLessThan(150);
    } finally {
      TestServices.stop(asker, worker);
    }
  }

  /** Publishes a copy of version 1 as {@code version}, atomically as the store does. */
  static void copyVersion(Path modelDir, int version) throws Exception {
    Path tmp = modelDir.resolve(".tmp-copy-" + version);
    Path source = modelDir.resolve("1");
    try (Stream<Path> files = Files.walk(source)) {
      for (Path p : files.toList()) {
        Files.copy(p, tmp.resolve(source.relativize(p).toString()), StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
    Files.move(tmp, modelDir.resolve(Integer.toString(version)), StandardCopyOption.ATOMIC_MOVE);
    FileTrees.delete(tmp);
  }

  /**
   * Resident memory outside the Java heap (TensorFlow's is all there), in KB, after a GC: the
   * heap of this test JVM grows and shrinks with the load, which says nothing about leaks.
   */
  static long settledRssKb() throws Exception {
    System.gc();
    Thread.sleep(300);
    long heapKb = java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted() / 1024;
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) - heapKb;
      }
    }
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }
}
