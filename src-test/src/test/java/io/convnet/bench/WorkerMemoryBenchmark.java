package io.convnet.bench;

import com.google.protobuf.ByteString;
import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kafka.local.LocalKafkaBroker;
import io.convnet.kit.launch.RunningService;
import io.convnet.kit.launch.ServiceDefinition;
import io.convnet.proto.ClassifyReply;
import io.convnet.proto.ClassifyRequest;
import io.convnet.proto.Exchanges;
import io.convnet.proto.Image;
import io.convnet.proto.ModelPublished;
import io.convnet.proto.ModelRef;
import io.convnet.proto.Topics;
import io.convnet.worker.config.WorkerSettings;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.IntUnaryOperator;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Resident memory of an inference worker process (as run.sh starts it, heap pre-touched so the
 * figure shows native memory), in rounds of the same load, each measured from the end of the one
 * before: a leak grows every round by the same amount, while the allocator's and JIT's one-off
 * settling shows in the first only. Two loads:
 * <ul>
 *   <li>{@code memory [requests] [switches] [rounds]}: N classify requests (default 10,000, concurrency
 *       8, real photos) during which the served version is switched M times (default 20): a leaked
 *       Tensor costs about 0.3 MB per call, a leaked model version tens of MB;
 *   <li>{@code versions [loads] [rounds]}: 8 published versions, the newest served and the cache of
 *       older ones ({@code CONVNET_MODEL_CACHE_VERSIONS}) 2, requests at concurrency 8 naming versions
 *       1 to 8 in turn (a few requests each) until the worker has loaded (and unloaded) about L old
 *       versions per round (default 300; counted from its log): the LRU of old versions. Run twice
 *       in a row, in a worker that keeps what malloc keeps after unloads ({@code
 *       CONVNET_MODEL_UNLOAD_TRIM=false}) and in one that gives it back (the default), then the two
 *       side by side.
 * </ul>
 *
 * <p>The worker gets {@code MALLOC_ARENA_MAX=2} and {@code MALLOC_MMAP_THRESHOLD_=131072} as run.sh gives
 * it (set {@code CONVNET_BENCH_MALLOC_ARENA_MAX} and {@code CONVNET_BENCH_MALLOC_MMAP_THRESHOLD}, blank for
 * glibc's defaults, to compare) and the JVM options {@code CONVNET_BENCH_WORKER_JAVA_OPTS} (default a
 * fixed, pre-touched 512 MB heap). Native memory tracking's diff over all rounds is printed at the end.
 */
public final class WorkerMemoryBenchmark {
  private static final String MODEL = "cats-vs-dogs";
  private static final int VERSIONS = 8;
  /** Requests in a row that name the same version in the versions load (8 threads take them in turn). */
  private static final int REQUESTS_PER_VERSION = 4;

  private WorkerMemoryBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    boolean versions = args.length > 0 && args[0].equals("versions");
    String[] rest = versions ? Arrays.copyOfRange(args, 1, args.length) : args;
    Path tmp = Files.createTempDirectory("memory-bench");
    String external = System.getProperty(KafkaBrokerExtension.BOOTSTRAP_PROPERTY);
    LocalKafkaBroker broker = external == null ? LocalKafkaBroker.startEphemeral() : null;
    String bootstrap = external != null ? external : broker.bootstrapServers();
    Path store = BenchSetup.store(tmp);
    if (versions) {
      for (int v = 2; v <= VERSIONS; v++) {
        BenchSetup.copyVersion(store.resolve(MODEL), v);
      }
    }
    List<byte[]> photos = BenchSetup.photos(200);
    RunningService asker = BenchSetup.start(new ServiceDefinition("memory-bench-asker", 0, true, kit -> new VerticleBase() {
      @Override
      public Future<?> start() {
        return Future.succeededFuture();
      }
    }), bootstrap, Map.of());
    try {
      if (versions) {
        int loads = rest.length > 0 ? Integer.parseInt(rest[0]) : 300;
        int rounds = rest.length > 1 ? Integer.parseInt(rest[1]) : 3;
        Map<Boolean, Churn> byTrim = new LinkedHashMap<>();
        for (boolean trim : new boolean[] {false, true}) {
          Worker worker = Worker.start(tmp, bootstrap, store, Map.of(WorkerSettings.MODEL_UNLOAD_TRIM.name(), "" + trim));
          try {
            byTrim.put(trim, oldVersions(worker, asker, photos, loads, rounds));
          } finally {
            worker.stop();
          }
        }
        printSideBySide(byTrim, rounds);
      } else {
        Worker worker = Worker.start(tmp, bootstrap, store, Map.of());
        try {
          switches(worker, asker, photos, bootstrap, store, rest.length > 0 ? Integer.parseInt(rest[0]) : 10_000,
              rest.length > 1 ? Integer.parseInt(rest[1]) : 20, rest.length > 2 ? Integer.parseInt(rest[2]) : 2);
        } finally {
          worker.stop();
        }
      }
    } finally {
      asker.close(Duration.ofSeconds(2)).toCompletionStage().toCompletableFuture().get();
      if (broker != null) {
        broker.close();
      }
      io.convnet.util.FileTrees.delete(tmp);
    }
    System.exit(0);
  }

  /** RSS growth per round (KB) of one worker under the versions load, and the free memory malloc kept at the end. */
  private record Churn(List<Long> growthKb, int loads, String keptFree) {
  }

  private static void printSideBySide(Map<Boolean, Churn> byTrim, int rounds) {
    System.out.printf("%nSide by side, RSS growth per round of old-version loads (each round measured from the end of"
        + " the one before):%n%n| unload trim | loads, all rounds |");
    for (int r = 1; r <= rounds; r++) {
      System.out.printf(" round %d |", r);
    }
    System.out.printf(" rounds after the first, mean | free memory malloc kept at the end |%n|---|---|%s---|---|%n",
        "---|".repeat(rounds));
    byTrim.forEach((trim, churn) -> {
      System.out.printf("| %s | %d |", trim ? "on (default)" : "off", churn.loads());
      churn.growthKb().forEach(kb -> System.out.printf(" %+.1f MB |", kb / 1024.0));
      System.out.printf(" %s | %s |%n", rounds < 2 ? "-" : String.format("%+.1f MB (target < 50 MB)",
          churn.growthKb().stream().skip(1).mapToLong(Long::longValue).average().orElse(0) / 1024.0), churn.keptFree());
    });
  }

  /** Rounds of requests during which the served version is switched. */
  private static void switches(Worker worker, RunningService asker, List<byte[]> photos, String bootstrap, Path store,
                               int requests, int switches, int rounds) throws Exception {
    System.out.println(worker.describe());
    AtomicLong served = new AtomicLong();
    int[] version = {1};
    try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", bootstrap),
        new StringSerializer(), new ByteArraySerializer())) {
      Runnable nextVersion = () -> {
        try {
          version[0]++;
          BenchSetup.copyVersion(store.resolve(MODEL), version[0]);
          producer.send(new ProducerRecord<>(Topics.MODELS.name(), MODEL, ModelPublished.newBuilder()
              .setName(MODEL).setVersion(version[0]).build().toByteArray())).get();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      };
      run(asker, photos, 2000, served, i -> 0, null, 0, null);  // warm-up: JIT, pools, arenas, TF
      for (int i = 0; i < 3; i++) {
        nextVersion.run();
        awaitVersion(asker, photos, version[0], served);
      }
      long start = worker.settledRss();
      int firstMeasuredVersion = version[0];
      worker.jcmd("VM.native_memory", "baseline");
      System.out.printf("%n| round | requests | switches | failures | RSS before | RSS after | growth | seconds |%n"
          + "|---|---|---|---|---|---|---|---|%n");
      long before = start;
      for (int round = 1; round <= rounds; round++) {
        long t0 = System.nanoTime();
        int failures = run(asker, photos, requests, served, i -> 0, nextVersion, switches, null);
        awaitVersion(asker, photos, version[0], served);
        long after = worker.settledRss();
        System.out.printf("| %d | %,d | %d | %d | %.1f MB | %.1f MB | %+.1f MB (target < 5 MB) | %.0f |%n", round,
            requests, switches, failures, before / 1024.0, after / 1024.0, (after - before) / 1024.0,
            (System.nanoTime() - t0) / 1e9);
        before = after;
      }
      System.out.printf("all %d rounds: %+.1f MB over %d switches; served version at the end %d of %d;"
          + " load average %.1f%n", rounds, (before - start) / 1024.0, version[0] - firstMeasuredVersion, served.get(),
          version[0], BenchSetup.loadAverage());
      worker.printNativeMemoryDiff();
    }
  }

  /** Rounds of requests that cycle over every version, so that the cache of old versions loads and unloads. */
  private static Churn oldVersions(Worker worker, RunningService asker, List<byte[]> photos, int loads, int rounds)
      throws Exception {
    System.out.printf("%n%s%n", worker.describe());
    AtomicLong served = new AtomicLong();
    IntUnaryOperator cycle = i -> i / REQUESTS_PER_VERSION % VERSIONS + 1;
    run(asker, photos, 2000, served, i -> 0, null, 0, null);  // warm-up: JIT, pools, arenas, TF
    int loadsBefore = worker.count("- loaded " + MODEL + " v");
    // 8 cycles over the versions: each old version loaded 8 times (allocator and JIT settle)
    run(asker, photos, 8 * VERSIONS * REQUESTS_PER_VERSION, served, cycle, null, 0, null);
    System.out.printf("warm-up: %d old versions loaded; %s%n", worker.count("- loaded " + MODEL + " v") - loadsBefore,
        worker.smaps());
    long start = worker.settledRss();
    worker.jcmd("VM.native_memory", "baseline");
    System.out.printf("%n| round | loads | unloads | requests | failures | RSS before | RSS after (before GC) | growth | seconds |%n"
        + "|---|---|---|---|---|---|---|---|---|%n");
    long before = start;
    int totalLoads = 0;
    List<Long> growth = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      long t0 = System.nanoTime();
      int loaded0 = worker.count("- loaded " + MODEL + " v");
      int unloaded0 = worker.count("- unloaded " + MODEL + " v");
      AtomicInteger sent = new AtomicInteger();
      AtomicBoolean enough = new AtomicBoolean();
      Thread watch = new Thread(() -> {
        try {
          while (!enough.get()) {
            enough.set(worker.count("- loaded " + MODEL + " v") - loaded0 >= loads);
            Thread.sleep(200);
          }
        } catch (InterruptedException | IOException e) {
          enough.set(true);
        }
      });
      watch.start();
      int failures = run(asker, photos, Integer.MAX_VALUE, served, cycle, null, 0, () -> enough.get(), sent);
      watch.join();
      Thread.sleep(1000);  // versions evicted by the last requests close once those end
      long found = BenchSetup.rssKb(worker.process.pid());
      long after = worker.settledRss();
      int loaded = worker.count("- loaded " + MODEL + " v") - loaded0;
      totalLoads += loaded;
      System.out.printf("| %d | %d | %d | %,d | %d | %.1f MB | %.1f MB (%.1f MB) | %+.1f MB%s | %.0f |%n", round, loaded,
          worker.count("- unloaded " + MODEL + " v") - unloaded0, sent.get(), failures, before / 1024.0, after / 1024.0,
          found / 1024.0, (after - before) / 1024.0, round == 1 ? "" : " (target < 50 MB)", (System.nanoTime() - t0) / 1e9);
      growth.add(after - before);
      before = after;
    }
    System.out.printf("all %d rounds: %+.1f MB over %d loads of old versions; %s; load average %.1f%n", rounds,
        (before - start) / 1024.0, totalLoads, worker.smaps(), BenchSetup.loadAverage());
    worker.printNativeMemoryDiff();
    // free memory that malloc keeps (not given back to the system): what malloc_trim(0) returns now
    String trimmed = worker.jcmd("System.trim_native_heap").lines().filter(l -> l.contains("RSS")).findFirst()
        .map(String::trim).orElse("(no System.trim_native_heap in this JVM)");
    System.out.println("  free memory malloc kept, returned by a trim now: " + trimmed);
    return new Churn(growth, totalLoads, trimmed.replaceFirst("^Trim native heap: ", ""));
  }

  /** Waits until requests are answered by {@code version} (and the old one had time to close). */
  private static void awaitVersion(RunningService asker, List<byte[]> photos, int version, AtomicLong served)
      throws Exception {
    long until = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (served.get() < version && System.nanoTime() < until) {
      run(asker, photos, 8, served, i -> 0, null, 0, null);
    }
    Thread.sleep(1000);
  }

  private static int run(RunningService asker, List<byte[]> photos, int n, AtomicLong served, IntUnaryOperator version,
                         Runnable nextVersion, int switches, BooleanSupplier stop) throws Exception {
    return run(asker, photos, n, served, version, nextVersion, switches, stop, new AtomicInteger());
  }

  /**
   * {@code n} requests (or until {@code stop}) at concurrency 8, request i naming {@code version(i)} (0:
   * the served one); every n/switches requests, the next version is published.
   */
  private static int run(RunningService asker, List<byte[]> photos, int n, AtomicLong served, IntUnaryOperator version,
                         Runnable nextVersion, int switches, BooleanSupplier stop, AtomicInteger sent)
      throws Exception {
    AtomicInteger next = new AtomicInteger();
    AtomicInteger failures = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    int every = switches == 0 ? Integer.MAX_VALUE : Math.max(1, n / switches);
    for (int t = 0; t < 8; t++) {
      Thread thread = new Thread(() -> {
        int i;
        while ((stop == null || !stop.getAsBoolean()) && (i = next.getAndIncrement()) < n) {
          if (nextVersion != null && (i + 1) % every == 0) {  // after requests every, 2*every, ..., n: exactly `switches`
            nextVersion.run();
          }
          ClassifyRequest request = ClassifyRequest.newBuilder()
              .setModel(ModelRef.newBuilder().setName(MODEL).setVersion(version.applyAsInt(i)))
              .addImages(Image.newBuilder().setData(ByteString.copyFrom(photos.get(i % photos.size())))).build();
          sent.incrementAndGet();
          try {
            ClassifyReply reply = asker.kit().requester().request(Exchanges.CLASSIFY, request).toCompletionStage()
                .toCompletableFuture().get();
            served.accumulateAndGet(reply.getModel().getVersion(), Math::max);
          } catch (Exception e) {
            failures.incrementAndGet();
          }
        }
      });
      threads.add(thread);
      thread.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    return failures.get();
  }

  /** The worker process, started as run.sh starts it (its malloc settings), with native memory tracking. */
  private record Worker(Process process, Path log, String arenas, String mmapThreshold, String javaOptions,
                        Map<String, String> settings) {
    /** Starts a worker with the benchmark's settings and {@code settings}, logging to a file of its own. */
    static Worker start(Path tmp, String bootstrap, Path store, Map<String, String> settings) throws IOException {
      String arenas = System.getenv().getOrDefault("CONVNET_BENCH_MALLOC_ARENA_MAX", "2");
      String mmapThreshold = System.getenv().getOrDefault("CONVNET_BENCH_MALLOC_MMAP_THRESHOLD", "131072");
      String javaOptions = System.getenv().getOrDefault("CONVNET_BENCH_WORKER_JAVA_OPTS",
          "-Xms512m -Xmx512m -XX:+AlwaysPreTouch");
      List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
      command.addAll(Arrays.asList(javaOptions.trim().split("\\s+")));
      command.addAll(List.of("-XX:NativeMemoryTracking=summary",
          "-Dorg.bytedeco.javacpp.cachedir=" + System.getProperty("org.bytedeco.javacpp.cachedir", ""),
          "-cp", System.getProperty("java.class.path"), "io.convnet.worker.InferenceWorkerMain"));
      Path log = Files.createTempFile(tmp, "worker", ".log");
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      Map<String, String> env = new HashMap<>(Map.of("CONVNET_KAFKA_BOOTSTRAP_SERVERS", bootstrap,
          "CONVNET_HTTP_HOST", "127.0.0.1", "CONVNET_HTTP_PORT", "0", "CONVNET_INSTANCE_ID", "memory-bench-worker",
          "CONVNET_MODEL_STORE", store.toString(), "CONVNET_MODEL_POLL_MS", "0", "CONVNET_MODEL_CACHE_VERSIONS", "2",
          "CONVNET_SCORE_ENABLED", "false", "TF_CPP_MIN_LOG_LEVEL", "1"));
      env.putAll(settings);
      if (!arenas.isBlank()) {
        env.put("MALLOC_ARENA_MAX", arenas);
      }
      if (!mmapThreshold.isBlank()) {
        env.put("MALLOC_MMAP_THRESHOLD_", mmapThreshold);
      }
      pb.environment().putAll(env);
      return new Worker(pb.start(), log, arenas.isBlank() ? "(glibc default)" : arenas,
          mmapThreshold.isBlank() ? "(glibc default)" : mmapThreshold, javaOptions, settings);
    }

    String describe() {
      return String.format("worker pid %d, %sMALLOC_ARENA_MAX=%s, MALLOC_MMAP_THRESHOLD_=%s, JVM %s, load average %.1f",
          process.pid(), settings.isEmpty() ? "" : settings + ", ", arenas, mmapThreshold, javaOptions,
          BenchSetup.loadAverage());
    }

    void stop() throws InterruptedException {
      process.destroy();
      process.waitFor(20, TimeUnit.SECONDS);
    }

    String jcmd(String... command) throws Exception {
      List<String> args = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
          Long.toString(process.pid())));
      args.addAll(List.of(command));
      Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor();
      return out;
    }

    /** RSS after the worker's own GC, in KB. */
    long settledRss() throws Exception {
      jcmd("GC.run");
      Thread.sleep(2000);
      return BenchSetup.rssKb(process.pid());
    }

    /** Lines of the worker's log that contain {@code text}. */
    int count(String text) throws IOException {
      try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
        return (int) lines.filter(l -> l.contains(text)).count();
      }
    }

    /** Where the resident memory is: anonymous (heaps: Java's, malloc's) and file-backed (libraries). */
    String smaps() throws IOException {
      Map<String, Long> kb = new HashMap<>();
      for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/smaps_rollup"))) {
        String[] p = line.split(":\\s+");
        if (p.length == 2 && p[1].endsWith(" kB")) {
          kb.put(p[0], Long.parseLong(p[1].replace(" kB", "").trim()));
        }
      }
      return String.format("RSS %.1f MB = anonymous %.1f MB + file-backed %.1f MB", kb.getOrDefault("Rss", 0L) / 1024.0,
          kb.getOrDefault("Anonymous", 0L) / 1024.0, (kb.getOrDefault("Rss", 0L) - kb.getOrDefault("Anonymous", 0L)) / 1024.0);
    }

    /** What the JVM itself grew by since the baseline (code cache, metaspace, threads, GC); the rest is native libraries. */
    void printNativeMemoryDiff() throws Exception {
      jcmd("VM.native_memory", "summary.diff").lines()
          .filter(l -> l.contains("committed=") && l.contains("KB") && (l.startsWith("Total") || l.startsWith("-")))
          .forEach(l -> System.out.println("  JVM " + l.trim()));
    }
  }
}
