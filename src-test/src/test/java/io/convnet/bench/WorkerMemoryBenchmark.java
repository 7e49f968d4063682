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
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Resident memory of an inference worker process (as run.sh starts it, heap pre-touched so the
 * figure shows native memory) before and after N classify requests (default 10,000, concurrency
 * 8, real photos) during which the model is switched M times (default 20): a leaked Tensor costs
 * about 0.3 MB per call, a leaked model version tens of MB. Rounds of the same load follow each
 * other (default 2), each measured from the end of the one before: a leak grows every round by
 * the same amount, while the allocator's and JIT's one-off settling shows in the first only.
 *
 * <p>{@code ./bench-serving.sh memory [requests] [switches] [rounds]}; the worker gets {@code MALLOC_ARENA_MAX=2} and
 * {@code MALLOC_MMAP_THRESHOLD_=131072} as run.sh gives it (set {@code CONVNET_BENCH_MALLOC_ARENA_MAX} and
 * {@code CONVNET_BENCH_MALLOC_MMAP_THRESHOLD}, blank for glibc's defaults, to compare).
 */
public final class WorkerMemoryBenchmark {
  private WorkerMemoryBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int switches = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    Path tmp = Files.createTempDirectory("memory-bench");
    String external = System.getProperty(KafkaBrokerExtension.BOOTSTRAP_PROPERTY);
    LocalKafkaBroker broker = external == null ? LocalKafkaBroker.startEphemeral() : null;
    String bootstrap = external != null ? external : broker.bootstrapServers();
    Path store = BenchSetup.store(tmp);
    List<byte[]> photos = BenchSetup.photos(200);
    String arenas = System.getenv().getOrDefault("CONVNET_BENCH_MALLOC_ARENA_MAX", "2");
    String mmapThreshold = System.getenv().getOrDefault("CONVNET_BENCH_MALLOC_MMAP_THRESHOLD", "131072");

    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xms512m", "-Xmx512m", "-XX:+AlwaysPreTouch", "-XX:NativeMemoryTracking=summary",
        "-Dorg.bytedeco.javacpp.cachedir=" + System.getProperty("org.bytedeco.javacpp.cachedir", ""),
        "-cp", System.getProperty("java.class.path"), "io.convnet.worker.InferenceWorkerMain"));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(tmp.resolve("worker.log").toFile());
    pb.environment().putAll(Map.of("CONVNET_KAFKA_BOOTSTRAP_SERVERS", bootstrap, "CONVNET_HTTP_HOST", "127.0.0.1",
        "CONVNET_HTTP_PORT", "0", "CONVNET_INSTANCE_ID", "memory-bench-worker", "CONVNET_MODEL_STORE", store.toString(),
        "CONVNET_MODEL_POLL_MS", "0", "CONVNET_SCORE_ENABLED", "false", "TF_CPP_MIN_LOG_LEVEL", "1"));
    if (!arenas.isBlank()) {
      pb.environment().put("MALLOC_ARENA_MAX", arenas);
    }
    if (!mmapThreshold.isBlank()) {
      pb.environment().put("MALLOC_MMAP_THRESHOLD_", mmapThreshold);
    }
    Process worker = pb.start();
    RunningService asker = BenchSetup.start(new ServiceDefinition("memory-bench-asker", 0, true, kit -> new VerticleBase() {
      @Override
      public Future<?> start() {
        return Future.succeededFuture();
      }
    }), bootstrap, Map.of());
    AtomicLong served = new AtomicLong();
    int[] version = {1};
    try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", bootstrap),
        new StringSerializer(), new ByteArraySerializer())) {
      Runnable nextVersion = () -> {
        try {
          version[0]++;
          BenchSetup.copyVersion(store.resolve("cats-vs-dogs"), version[0]);
          producer.send(new ProducerRecord<>(Topics.MODELS.name(), "cats-vs-dogs", ModelPublished.newBuilder()
              .setName("cats-vs-dogs").setVersion(version[0]).build().toByteArray())).get();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      };
      System.out.printf("worker pid %d, MALLOC_ARENA_MAX=%s, MALLOC_MMAP_THRESHOLD_=%s, load average %.1f%n",
          worker.pid(), arenas.isBlank() ? "(glibc default)" : arenas,
          mmapThreshold.isBlank() ? "(glibc default)" : mmapThreshold, BenchSetup.loadAverage());
      run(asker, photos, 2000, 8, served, null, 0);  // warm-up: JIT, pools, arenas, TF
      for (int i = 0; i < 3; i++) {
        nextVersion.run();
        awaitVersion(asker, photos, version[0], served);
      }
      long start = settledRss(worker);
      int firstMeasuredVersion = version[0];
      jcmd(worker, "VM.native_memory", "baseline");
      System.out.printf("%n| round | requests | switches | failures | RSS before | RSS after | growth | seconds |%n"
          + "|---|---|---|---|---|---|---|---|%n");
      long before = start;
      for (int round = 1; round <= rounds; round++) {
        long t0 = System.nanoTime();
        int failures = run(asker, photos, requests, 8, served, nextVersion, switches);
        awaitVersion(asker, photos, version[0], served);
        long after = settledRss(worker);
        System.out.printf("| %d | %,d | %d | %d | %.1f MB | %.1f MB | %+.1f MB (target < 5 MB) | %.0f |%n", round,
            requests, switches, failures, before / 1024.0, after / 1024.0, (after - before) / 1024.0,
            (System.nanoTime() - t0) / 1e9);
        before = after;
      }
      String nmt = jcmd(worker, "VM.native_memory", "summary.diff");
      System.out.printf("all %d rounds: %+.1f MB over %d switches; served version at the end %d of %d;"
          + " load average %.1f%n", rounds, (before - start) / 1024.0, version[0] - firstMeasuredVersion, served.get(),
          version[0],
          BenchSetup.loadAverage());
      // what the JVM itself grew by over all rounds (code cache, metaspace, threads, GC); the rest of the RSS growth is native libraries
      nmt.lines().filter(l -> l.contains("committed=") && l.contains("KB") && (l.startsWith("Total") || l.startsWith("-")))
          .forEach(l -> System.out.println("  JVM " + l.trim()));
    } finally {
      asker.close(Duration.ofSeconds(2)).toCompletionStage().toCompletableFuture().get();
      worker.destroy();
      worker.waitFor(20, TimeUnit.SECONDS);
      if (broker != null) {
        broker.close();
      }
      io.convnet.util.FileTrees.delete(tmp);
    }
    System.exit(0);
  }

  /** Waits until requests are answered by {@code version} (and the old one had time to close). */
  private static void awaitVersion(RunningService asker, List<byte[]> photos, int version, AtomicLong served)
      throws Exception {
    long until = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (served.get() < version && System.nanoTime() < until) {
      run(asker, photos, 8, 8, served, null, 0);
    }
    Thread.sleep(1000);
  }

  /** {@code n} requests at {@code concurrency}; every n/switches requests, the next version is published. */
  private static int run(RunningService asker, List<byte[]> photos, int n, int concurrency, AtomicLong served,
                         Runnable nextVersion, int switches) throws Exception {
    AtomicInteger next = new AtomicInteger();
    AtomicInteger failures = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    int every = switches == 0 ? Integer.MAX_VALUE : Math.max(1, n / switches);
    for (int t = 0; t < concurrency; t++) {
      Thread thread = new Thread(() -> {
        int i;
        while ((i = next.getAndIncrement()) < n) {
          if (nextVersion != null && (i + 1) % every == 0) {  // after requests every, 2*every, ..., n: exactly `switches`
            nextVersion.run();
          }
          ClassifyRequest request = ClassifyRequest.newBuilder().setModel(ModelRef.newBuilder().setName("cats-vs-dogs"))
              .addImages(Image.newBuilder().setData(ByteString.copyFrom(photos.get(i % photos.size())))).build();
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

  private static String jcmd(Process worker, String... command) throws Exception {
    List<String> args = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        Long.toString(worker.pid())));
    args.addAll(List.of(command));
    Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    p.waitFor();
    return out;
  }

  /** RSS after the worker's own GC, in KB. */
  private static long settledRss(Process worker) throws Exception {
    new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(worker.pid()),
        "GC.run").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    Thread.sleep(2000);
    return BenchSetup.rssKb(worker.pid());
  }
}
