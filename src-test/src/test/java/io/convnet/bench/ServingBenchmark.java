package io.convnet.bench;

import io.convnet.gateway.GatewayMain;
import io.convnet.infer.Predictor;
import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kafka.local.LocalKafkaBroker;
import io.convnet.kit.launch.RunningService;
import io.convnet.worker.InferenceWorkerMain;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * HTTP classify through the cluster (gateway -> Kafka -> worker with dynamic batching -> Kafka ->
 * gateway) at concurrency 1, 8 and 32, gRPC (TF Serving's Predict with the encoded image, from
 * grpc-java's stock stub) at concurrency 1 and 32, side by side with the same bundle in process
 * (decode, preprocess, one TensorFlow call) at batch 1 and batch 32. Windows of all seven
 * alternate, so load drifts of the shared machine hit each alike. Prints p50, p99, images/s and
 * the target ratios.
 *
 * <p>{@code ./bench-serving.sh http [window-seconds] [rounds]}; {@code -Dconvnet.bench.bundle=dir}
 * benchmarks a trained bundle instead of an untrained tutorial CNN.
 */
public final class ServingBenchmark {
  private static final int[] CONCURRENCY = {1, 8, 32};
  private static final int[] GRPC_CONCURRENCY = {1, 32};

  private ServingBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    long windowMs = (long) ((args.length > 0 ? Double.parseDouble(args[0]) : 4) * 1000);
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    Path tmp = Files.createTempDirectory("serving-bench");
    String external = System.getProperty(KafkaBrokerExtension.BOOTSTRAP_PROPERTY);
    LocalKafkaBroker broker = external == null ? LocalKafkaBroker.startEphemeral() : null;
    String bootstrap = external != null ? external : broker.bootstrapServers();
    Path store = BenchSetup.store(tmp);
    List<byte[]> photos = BenchSetup.photos(256);
    RunningService worker = BenchSetup.start(InferenceWorkerMain.DEFINITION, bootstrap, Map.of(
        "CONVNET_MODEL_STORE", store.toString(), "CONVNET_SCORE_ENABLED", "false",
        "CONVNET_RESPONDER_CONCURRENCY", "64"));
    RunningService gateway = BenchSetup.start(GatewayMain.DEFINITION, bootstrap, Map.of("CONVNET_GRPC_PORT", "0"));
    Vertx vertx = Vertx.vertx();
    ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1",
        Integer.parseInt(gateway.kit().statusDetails().get("grpcPort"))).usePlaintext()
        .directExecutor().build();  // answers handled on the transport's thread, as the Vert.x HTTP client does
    System.out.printf("%d cores, load average %.1f, windows of %d ms, %d rounds, model %s, %d real photos%n",
        Runtime.getRuntime().availableProcessors(), BenchSetup.loadAverage(), windowMs, rounds,
        System.getProperty("convnet.bench.bundle", "untrained tutorial CNN 150x150"), photos.size());

    Map<String, List<LoadGenerator.Sample>> samples = new HashMap<>();
    Map<String, double[]> batches = new HashMap<>();  // {inferences, executions} during the HTTP windows
    Map<String, Map<String, Long>> cpu = new HashMap<>();  // CPU ns per thread group during each system's windows
    try (Predictor predictor = Predictor.open(store.resolve("cats-vs-dogs/1"))) {
      List<String> systems = new ArrayList<>(List.of("in-process batch 1", "in-process batch 32"));
      for (int c : CONCURRENCY) {
        systems.add("HTTP concurrency " + c);
      }
      for (int c : GRPC_CONCURRENCY) {
        systems.add("gRPC concurrency " + c);
      }
      warmUp(systems, predictor, photos, gateway.httpPort(), vertx, channel);
      Map<String, Long> idleBefore = ThreadCpu.snapshot();  // what the services cost with no requests at all
      long idleStart = System.nanoTime();
      Thread.sleep(windowMs);
      Map<String, Long> idle = ThreadCpu.minus(ThreadCpu.snapshot(), idleBefore);
      double idleSeconds = (System.nanoTime() - idleStart) / 1e9;
      C1.clear();
      for (int r = 0; r < rounds; r++) {
        List<String> order = new ArrayList<>(systems);
        java.util.Collections.rotate(order, r);
        for (String system : order) {
          boolean c1 = system.equals("HTTP concurrency 1");
          double[] before = counts(worker.kit().registry());
          double[] kitBefore = c1 ? LatencyBreakdown.kitTimers(gateway.kit().registry(), worker.kit().registry()) : null;
          Map<String, Long> cpuBefore = ThreadCpu.snapshot();
          samples.computeIfAbsent(system, k -> new ArrayList<>())
              .add(measure(system, predictor, photos, gateway.httpPort(), vertx, channel, windowMs));
          ThreadCpu.add(cpu.computeIfAbsent(system, k -> new HashMap<>()), ThreadCpu.minus(ThreadCpu.snapshot(), cpuBefore));
          double[] after = counts(worker.kit().registry());
          if (c1) {
            C1.addKit(kitBefore, LatencyBreakdown.kitTimers(gateway.kit().registry(), worker.kit().registry()));
          }
          double[] b = batches.computeIfAbsent(system, k -> new double[2]);
          b[0] += after[0] - before[0];
          b[1] += after[1] - before[1];
        }
        System.out.printf("round %d/%d done (load average %.1f)%n", r + 1, rounds, BenchSetup.loadAverage());
      }
      Map<String, LoadGenerator.Result> results = new HashMap<>();
      System.out.println();
      System.out.println("| system | p50 | p99 | images/s | failures | mean batch in the worker |");
      System.out.println("|---|---|---|---|---|---|");
      for (String system : systems) {
        LoadGenerator.Result res = LoadGenerator.Result.of(samples.get(system));
        double perImage = system.endsWith("batch 32") ? 32 : 1;
        results.put(system, res);
        double[] b = batches.get(system);
        System.out.printf("| %s | %.1f ms | %.1f ms | %.1f | %d | %s |%n", system, res.p50Ms(), res.p99Ms(),
            res.perSecond() * perImage, res.failures(), !system.startsWith("in-process") && b[1] > 0
                ? String.format("%.1f", b[0] / b[1]) : "-");
      }
      System.out.println();
      System.out.println("Where the CPU went (all services share this JVM; the in-process rows run TensorFlow on the main thread):");
      System.out.println(ThreadCpu.header());
      for (String system : systems) {
        double images = samples.get(system).stream().mapToLong(x -> x.latencies().length).sum()
            * (system.endsWith("batch 32") ? 32.0 : 1.0);
        System.out.println(ThreadCpu.row(system, cpu.get(system), images));
      }
      System.out.println(ThreadCpu.row("no requests (CPU ms per second)", idle, idleSeconds));
      double b32 = results.get("in-process batch 32").perSecond() * 32;
      double c32 = results.get("HTTP concurrency 32").perSecond();
      double b1p50 = results.get("in-process batch 1").p50Ms();
      double c1p50 = results.get("HTTP concurrency 1").p50Ms();
      System.out.printf("%nHTTP c32 / in-process batch 32 throughput: %.2f (target >= 0.90)%n", c32 / b32);
      System.out.printf("HTTP c1 p50 - in-process batch 1 p50: %+.1f ms (target <= 2 ms)%n", c1p50 - b1p50);
      System.out.printf("gRPC c1 p50 - HTTP c1 p50: %+.1f ms; gRPC c32 / HTTP c32 throughput: %.2f%n",
          results.get("gRPC concurrency 1").p50Ms() - c1p50, results.get("gRPC concurrency 32").perSecond() / c32);
      C1.print("HTTP concurrency 1");
      System.out.printf("load average at the end %.1f%n", BenchSetup.loadAverage());
    } finally {
      channel.shutdownNow().awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
      vertx.close();
      gateway.close(java.time.Duration.ofSeconds(2)).toCompletionStage().toCompletableFuture().get();
      worker.close(java.time.Duration.ofSeconds(2)).toCompletionStage().toCompletableFuture().get();
      if (broker != null) {
        broker.close();
      }
      io.convnet.util.FileTrees.delete(tmp);
    }
    System.exit(0);
  }

  /** Passes over every system (JIT, connections, TF's first calls) until the JIT compilers settle. */
  private static void warmUp(List<String> systems, Predictor predictor, List<byte[]> photos, int port, Vertx vertx,
                             ManagedChannel channel) {
    ThreadCpu.warmUp(() -> systems.forEach(system -> measure(system, predictor, photos, port, vertx, channel, 2000)));
  }

  private static double[] counts(MeterRegistry registry) {
    return new double[] {
        registry.find("convnet.inference.inferences").counters().stream().mapToDouble(Counter::count).sum(),
        registry.find("convnet.inference.executions").counters().stream().mapToDouble(Counter::count).sum()};
  }

  private static LoadGenerator.Sample measure(String system, Predictor predictor, List<byte[]> photos, int port,
                                              Vertx vertx, ManagedChannel channel, long ms) {
    if (system.startsWith("in-process")) {
      int n = system.endsWith("batch 32") ? 32 : 1;
      long[] latencies = new long[1_000_000];
      int count = 0;
      long t0 = System.nanoTime();
      long end = t0 + ms * 1_000_000;
      int next = 0;
      while (System.nanoTime() < end) {
        long s = System.nanoTime();
        BenchSetup.classifyInProcess(predictor, photos, next, n);
        next += n;
        latencies[count++] = System.nanoTime() - s;
      }
      return new LoadGenerator.Sample(Arrays.copyOf(latencies, count), 0, (System.nanoTime() - t0) / 1e9);
    }
    int concurrency = Integer.parseInt(system.substring(system.lastIndexOf(' ') + 1));
    if (system.startsWith("gRPC")) {
      return GrpcLoad.predict(channel, photos, concurrency, ms);
    }
    return post(vertx, port, photos, concurrency, ms, concurrency == 1 ? C1 : null);
  }

  private static final Map<Integer, HttpClient> CLIENTS = new HashMap<>();

  /** Where concurrency 1's time goes, from each reply's {@code timing} (after the warm-up). */
  private static final LatencyBreakdown C1 = new LatencyBreakdown();

  /** Closed loop: {@code concurrency} callers, each posting its next photo when the last answer came. */
  static LoadGenerator.Sample post(Vertx vertx, int port, List<byte[]> photos, int concurrency, long ms,
                                   LatencyBreakdown breakdown) {
    HttpClient client = CLIENTS.computeIfAbsent(concurrency, c -> vertx.createHttpClient(
        new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(c)));
    ClosedLoop loop = new ClosedLoop(ms);
    List<Future<Void>> callers = new ArrayList<>();
    for (int i = 0; i < concurrency; i++) {
      Promise<Void> done = Promise.promise();
      callers.add(done.future());
      vertx.runOnContext(v -> call(client, port, photos, loop, done, breakdown));
    }
    try {
      Future.all(callers).toCompletionStage().toCompletableFuture().get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return loop.sample();
  }

  private static void call(HttpClient client, int port, List<byte[]> photos, ClosedLoop loop, Promise<Void> done,
                           LatencyBreakdown breakdown) {
    if (loop.over()) {
      done.complete();
      return;
    }
    Buffer body = Buffer.buffer(loop.next(photos));
    long s = System.nanoTime();
    client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
            .setURI("/v1/models/cats-vs-dogs/classify").putHeader("content-type", "image/jpeg"))
        .compose(req -> req.send(body))
        .compose(resp -> resp.body().map(b -> {
          if (resp.statusCode() == 200 && breakdown != null) {
            breakdown.add(System.nanoTime() - s, b.toJsonObject().getJsonObject("timing"));
          }
          return resp.statusCode();
        }))
        .onComplete(ar -> {
          if (ar.succeeded() && ar.result() == 200) {
            loop.succeeded(s);
          } else {
            loop.failed();
          }
          call(client, port, photos, loop, done, breakdown);
        });
  }
}
