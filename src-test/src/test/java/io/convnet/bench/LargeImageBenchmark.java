package io.convnet.bench;

import com.google.protobuf.ByteString;
import io.convnet.e2e.PhonePhotos;
import io.convnet.gateway.GatewayMain;
import io.convnet.infer.Predictor;
import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kafka.local.LocalKafkaBroker;
import io.convnet.kit.launch.RunningService;
import io.convnet.kit.launch.ServiceDefinition;
import io.convnet.kit.testing.Idle;
import io.convnet.proto.ClassifyReply;
import io.convnet.proto.ClassifyRequest;
import io.convnet.proto.Exchanges;
import io.convnet.proto.Image;
import io.convnet.proto.ModelRef;
import io.convnet.worker.InferenceWorkerMain;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * What a large photo costs on its way through the cluster, at concurrency 1 and 8: a data-set JPEG, a
 * typical 12 MP phone JPEG (about 3.5 MB) and 10 and 12 MB ones (made from a data-set photo,
 * {@link PhonePhotos}). First the two Kafka hops alone (the service kit's request/reply with the
 * image inline and a worker that answers at once), then HTTP classify through a gateway and a real
 * worker, split into the worker's decode and compute and the rest (upload, gateway, Kafka), side by
 * side: a gateway that sends every image inline and one with an upload folder
 * ({@code CONVNET_UPLOAD_DIR}) that stages images over {@code CONVNET_INLINE_IMAGE_MAX_BYTES} (1 MiB)
 * and sends their names. Each part warms up until the JIT compilers settle ({@link ThreadCpu#warmUp}),
 * then prints p50 per image, sizes and gateways taking turns in every round. Then concurrency 8 (eight callers
 * posting the same photo, closed loop) through each gateway, and, side by side, the same files decoded and
 * predicted in this process at batch 1 and 8.
 *
 * <p>{@code ./bench-serving.sh photos [rounds, default 10]}.
 */
public final class LargeImageBenchmark {
  private static final List<String> GATEWAYS = List.of("inline", "upload folder");
  private static final int C8_CALLERS = 8;
  private static final String C8 = " c8";

  private LargeImageBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    Map<String, byte[]> images = new LinkedHashMap<>();
    images.put("data-set JPEG", BenchSetup.photos(1).get(0));
    images.put("12 MP phone JPEG", PhonePhotos.of("cat", PhonePhotos.TYPICAL));
    images.put("12 MP, 10 MB JPEG", PhonePhotos.of("cat", PhonePhotos.TEN_MB));
    images.put("12 MP, 12 MB JPEG", PhonePhotos.of("cat", PhonePhotos.TWELVE_MB));
    Path tmp = Files.createTempDirectory("large-image-bench");
    String external = System.getProperty(KafkaBrokerExtension.BOOTSTRAP_PROPERTY);
    LocalKafkaBroker broker = external == null ? LocalKafkaBroker.startEphemeral() : null;
    String bootstrap = external != null ? external : broker.bootstrapServers();
    System.out.printf("CPU: %s, %d cores, load average %.1f, %d rounds, broker %s%n", io.convnet.util.Machine.cpu(),
        Runtime.getRuntime().availableProcessors(), BenchSetup.loadAverage(), rounds,
        external != null ? "external" : "in this JVM");

    Map<String, double[]> kafka = kafkaHops(bootstrap, images, rounds);
    Path store = BenchSetup.store(tmp);
    Map<String, double[]> alone = inProcess(store, images, rounds);
    Map<String, double[][]> http = httpClassify(bootstrap, store, tmp.resolve("uploads"), images, rounds);

    System.out.println();
    System.out.println("| image | bytes | Kafka hops (kit, echo) | gateway | HTTP classify | worker decode | worker compute "
        + "| the rest: upload, gateway, Kafka | of which staging the file |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    for (var e : images.entrySet()) {
      for (String gateway : GATEWAYS) {
        double[][] h = http.get(gateway + e.getKey());
        System.out.printf("| %s | %,d | %.1f ms | %s | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %s |%n", e.getKey(),
            e.getValue().length, p50(kafka.get(e.getKey())), gateway, p50(h[0]), p50(h[1]), p50(h[2]), p50(h[3]),
            gateway.equals(GATEWAYS.get(0)) ? "-" : String.format("%.1f ms", p50(h[4])));
      }
    }
    System.out.println();
    System.out.println("| image | in process, batch 1: decode + predict p50 | HTTP c1 p50: inline / upload folder "
        + "| in process, batch 8: images/s | HTTP c8 images/s: inline / upload folder | HTTP c8 p50: inline / upload folder |");
    System.out.println("|---|---|---|---|---|---|");
    for (var e : images.entrySet()) {
      double[] local = alone.get(e.getKey());
      double[][] inline = http.get(GATEWAYS.get(0) + e.getKey());
      double[][] staged = http.get(GATEWAYS.get(1) + e.getKey());
      double[] c8Inline = http.get(GATEWAYS.get(0) + e.getKey() + C8)[0];
      double[] c8Staged = http.get(GATEWAYS.get(1) + e.getKey() + C8)[0];
      System.out.printf("| %s | %.1f ms | %.1f / %.1f ms | %.1f | %.1f%s / %.1f%s | %.1f / %.1f ms |%n", e.getKey(),
          local[0], p50(inline[0]), p50(staged[0]), local[1], c8Inline[1], refused(c8Inline), c8Staged[1],
          refused(c8Staged), c8Inline[0], c8Staged[0]);
    }
    String small = images.keySet().iterator().next();
    for (String gateway : GATEWAYS) {
      double base = p50(http.get(gateway + small)[0]);
      for (String photo : images.keySet()) {
        if (!photo.equals(small)) {
          double[][] h = http.get(gateway + photo);
          System.out.printf("%s, %s: c1 end to end %.1fx the %s (target <= 2x); decode %.1fx compute (target <= 3x); "
              + "c8 %.2f of in-process batch 8%n", photo, gateway, p50(h[0]) / base, small, p50(h[1]) / p50(h[2]),
              http.get(gateway + photo + C8)[0][1] / alone.get(photo)[1]);
        }
      }
    }
    System.out.printf("load average at the end %.1f%n", BenchSetup.loadAverage());
    if (broker != null) {
      broker.close();
    }
    io.convnet.util.FileTrees.delete(tmp);
    System.exit(0);
  }

  /** The kit's request/reply with the image inline: serialize, produce, broker, consume, parse, a small reply back. */
  private static Map<String, double[]> kafkaHops(String bootstrap, Map<String, byte[]> images, int rounds) {
    RunningService echo = BenchSetup.start(new ServiceDefinition("bench-photo-echo", 0, false, kit -> new VerticleBase() {
      @Override
      public Future<?> start() {
        return kit.responder().serve(Exchanges.CLASSIFY, request -> Future.succeededFuture(ClassifyReply.newBuilder()
            .setModel(request.getModel()).setWorker(Integer.toString(request.getImages(0).getData().size())).build()));
      }
    }), bootstrap, Map.of());
    RunningService asking = BenchSetup.start(Idle.definition("bench-photo-asker", true), bootstrap, Map.of());
    Context context = asking.kit().vertx().getOrCreateContext();
    Map<String, double[]> ms = new LinkedHashMap<>();
    images.keySet().forEach(k -> ms.put(k, new double[rounds]));
    ThreadCpu.warmUp(() -> images.forEach((name, bytes) -> echo(asking, context, bytes)));
    for (int r = 0; r < rounds; r++) {
      for (var e : images.entrySet()) {
        ms.get(e.getKey())[r] = echo(asking, context, e.getValue());
      }
    }
    LoadGenerator.await(asking.close(Duration.ofSeconds(2)));
    LoadGenerator.await(echo.close(Duration.ofSeconds(2)));
    return ms;
  }

  /** One image through the kit's request/reply and the echo: ms. */
  private static double echo(RunningService asking, Context context, byte[] image) {
    ClassifyRequest request = ClassifyRequest.newBuilder().setModel(ModelRef.newBuilder().setName("echo"))
        .addImages(Image.newBuilder().setData(ByteString.copyFrom(image))).build();
    long t0 = System.nanoTime();
    ClassifyReply reply = LoadGenerator.await(Future.<ClassifyReply>future(p -> context.runOnContext(v ->
        asking.kit().requester().request(Exchanges.CLASSIFY, request).onComplete(p))));
    if (!reply.getWorker().equals(Integer.toString(image.length))) {
      throw new IllegalStateException("the echo saw " + reply.getWorker() + " bytes");
    }
    return (System.nanoTime() - t0) / 1e6;
  }

  /**
   * Per gateway and image ({@code gateway + image}): {total, decode, compute, the rest, staging} in ms for each
   * round; staging is the staging gateway's {@code convnet.uploads.stage} time of the request (0 inline).
   */
  private static Map<String, double[][]> httpClassify(String bootstrap, Path store, Path uploads,
                                                     Map<String, byte[]> images, int rounds) throws Exception {
    RunningService worker = BenchSetup.start(InferenceWorkerMain.DEFINITION, bootstrap, Map.of(
        "CONVNET_MODEL_STORE", store.toString(), "CONVNET_SCORE_ENABLED", "false",
        "CONVNET_UPLOAD_DIR", uploads.toString()));
    RunningService inline = BenchSetup.start(GatewayMain.DEFINITION, bootstrap, Map.of("CONVNET_GRPC_PORT", "0"));
    RunningService staging = BenchSetup.start(GatewayMain.DEFINITION, bootstrap, Map.of("CONVNET_GRPC_PORT", "0",
        "CONVNET_INSTANCE_ID", "gateway-staging-bench", "CONVNET_UPLOAD_DIR", uploads.toString()));
    Map<String, URI> uris = Map.of(GATEWAYS.get(0), classifyUri(inline), GATEWAYS.get(1), classifyUri(staging));
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    Map<String, double[][]> ms = new LinkedHashMap<>();
    ThreadCpu.warmUp(() -> images.forEach((name, bytes) -> GATEWAYS.forEach(g -> classify(client, uris.get(g), name, bytes))));
    Timer stage = staging.kit().registry().find("convnet.uploads.stage").timer();
    for (int r = 0; r < rounds; r++) {
      for (var e : images.entrySet()) {
        for (int g = 0; g < GATEWAYS.size(); g++) {
          String gateway = GATEWAYS.get((g + r) % GATEWAYS.size());  // which goes first alternates
          double staged = stage.totalTime(TimeUnit.MILLISECONDS);
          double[] m = classify(client, uris.get(gateway), e.getKey(), e.getValue());
          double[][] all = ms.computeIfAbsent(gateway + e.getKey(), k -> new double[5][rounds]);
          for (int i = 0; i < m.length; i++) {
            all[i][r] = m[i];
          }
          all[4][r] = stage.totalTime(TimeUnit.MILLISECONDS) - staged;
        }
      }
    }
    ExecutorService callers = Executors.newFixedThreadPool(C8_CALLERS);
    for (var e : images.entrySet()) {
      for (int g = 0; g < GATEWAYS.size(); g++) {
        String gateway = GATEWAYS.get(g);
        ms.put(gateway + e.getKey() + C8, new double[][] {
            concurrently(callers, client, uris.get(gateway), e.getKey(), e.getValue(), Math.max(3, rounds / 2))});
      }
    }
    callers.shutdown();
    double stagedCount = staging.kit().registry().counter("convnet.uploads.staged").count();
    System.out.printf("images the upload gateway staged: %.0f%n", stagedCount);
    LoadGenerator.await(staging.close(Duration.ofSeconds(2)));
    LoadGenerator.await(inline.close(Duration.ofSeconds(2)));
    LoadGenerator.await(worker.close(Duration.ofSeconds(2)));
    return ms;
  }

  /**
   * {@value #C8_CALLERS} callers posting {@code image} {@code perCaller} times each, closed loop: {p50 ms,
   * images/s, requests not answered 200} (a gateway sending large photos inline can run out of producer buffer
   * and answer 503 BUSY).
   */
  private static double[] concurrently(ExecutorService callers, HttpClient client, URI uri, String name, byte[] image,
                                       int perCaller) throws Exception {
    List<java.util.concurrent.Future<double[]>> each = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int c = 0; c < C8_CALLERS; c++) {
      each.add(callers.submit(() -> {
        double[] ms = new double[perCaller];
        for (int i = 0; i < perCaller; i++) {
          try {
            ms[i] = classify(client, uri, name, image)[0];
          } catch (IllegalStateException e) {  // not 200: counted, p50 and images/s are over the answered ones
            ms[i] = Double.NaN;
          }
        }
        return ms;
      }));
    }
    double[] all = new double[C8_CALLERS * perCaller];
    for (int c = 0; c < C8_CALLERS; c++) {
      System.arraycopy(each.get(c).get(), 0, all, c * perCaller, perCaller);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    double[] answered = Arrays.stream(all).filter(ms -> !Double.isNaN(ms)).toArray();
    return new double[] {p50(answered), answered.length / seconds, all.length - answered.length};
  }

  /**
   * The same files decoded (for the model's input size, as the worker decodes them) and predicted in this
   * process, no HTTP and no Kafka: {p50 ms at batch 1, images/s at batch 8}.
   */
  private static Map<String, double[]> inProcess(Path store, Map<String, byte[]> images, int rounds) {
    Map<String, double[]> out = new LinkedHashMap<>();
    try (Predictor predictor = Predictor.open(store.resolve("cats-vs-dogs/1"))) {
      for (int warm = 0; warm < 3; warm++) {
        images.values().forEach(bytes -> BenchSetup.classifyInProcess(predictor, List.of(bytes), 0, 8));
      }
      for (var e : images.entrySet()) {
        List<byte[]> one = List.of(e.getValue());
        double[] b1 = new double[rounds];
        double[] b8 = new double[Math.max(3, rounds / 2)];
        for (int r = 0; r < b1.length; r++) {
          long t0 = System.nanoTime();
          BenchSetup.classifyInProcess(predictor, one, 0, 1);
          b1[r] = (System.nanoTime() - t0) / 1e6;
        }
        for (int r = 0; r < b8.length; r++) {
          long t0 = System.nanoTime();
          BenchSetup.classifyInProcess(predictor, one, 0, 8);
          b8[r] = 8 / ((System.nanoTime() - t0) / 1e9);
        }
        out.put(e.getKey(), new double[] {p50(b1), p50(b8)});
      }
    }
    return out;
  }

  private static URI classifyUri(RunningService gateway) {
    return URI.create("http://127.0.0.1:" + gateway.httpPort() + "/v1/models/cats-vs-dogs:classify");
  }

  /** One HTTP classify: {total, decode, compute, the rest} in ms. */
  private static double[] classify(HttpClient client, URI uri, String name, byte[] image) {
    try {
      long t0 = System.nanoTime();
      HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).header("content-type", "image/jpeg")
          .POST(HttpRequest.BodyPublishers.ofByteArray(image)).build(), HttpResponse.BodyHandlers.ofString());
      double total = (System.nanoTime() - t0) / 1e6;
      if (response.statusCode() != 200) {
        throw new IllegalStateException(name + ": " + response.statusCode() + " " + response.body());
      }
      JsonObject t = new JsonObject(response.body()).getJsonObject("timing");
      return new double[] {total, t.getDouble("decodeMs"), t.getDouble("computeMs"),
          total - t.getDouble("decodeMs") - t.getDouble("queueMs") - t.getDouble("computeMs")};
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String refused(double[] c8) {
    return c8[2] == 0 ? "" : String.format(" (%.0f not 200)", c8[2]);
  }

  private static double p50(double[] values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
