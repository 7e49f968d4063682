package io.convnet.bench;

import com.google.protobuf.ByteString;
import io.convnet.e2e.PhonePhotos;
import io.convnet.gateway.GatewayMain;
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
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a large photo costs on its way through the cluster, at concurrency 1: a data-set JPEG, a
 * typical 12 MP phone JPEG (about 3.5 MB) and 10 and 12 MB ones (made from a data-set photo,
 * {@link PhonePhotos}). First the two Kafka hops alone (the service kit's request/reply with the
 * image inline and a worker that answers at once), then HTTP classify through the gateway and a
 * real worker, split into the worker's decode and compute and the rest (upload, gateway, Kafka).
 * Prints p50 per image, sizes taking turns in every round.
 *
 * <p>{@code ./bench-serving.sh photos [rounds, default 10]}.
 */
public final class LargeImageBenchmark {
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
    System.out.printf("%d cores, load average %.1f, %d rounds, broker %s%n", Runtime.getRuntime().availableProcessors(),
        BenchSetup.loadAverage(), rounds, external != null ? "external" : "in this JVM");

    Map<String, double[]> kafka = kafkaHops(bootstrap, images, rounds);
    Map<String, double[][]> http = httpClassify(bootstrap, BenchSetup.store(tmp), images, rounds);

    System.out.println();
    System.out.println("| image | bytes | Kafka hops (kit, echo) | HTTP classify | worker decode | worker compute "
        + "| the rest: upload, gateway, Kafka |");
    System.out.println("|---|---|---|---|---|---|---|");
    for (var e : images.entrySet()) {
      double[][] h = http.get(e.getKey());
      System.out.printf("| %s | %,d | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %.1f ms |%n", e.getKey(), e.getValue().length,
          p50(kafka.get(e.getKey())), p50(h[0]), p50(h[1]), p50(h[2]), p50(h[3]));
    }
    if (broker != null) {
      broker.close();
    }
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
    for (int r = -2; r < rounds; r++) {  // two rounds of warm-up
      for (var e : images.entrySet()) {
        ClassifyRequest request = ClassifyRequest.newBuilder().setModel(ModelRef.newBuilder().setName("echo"))
            .addImages(Image.newBuilder().setData(ByteString.copyFrom(e.getValue()))).build();
        long t0 = System.nanoTime();
        ClassifyReply reply = LoadGenerator.await(Future.<ClassifyReply>future(p -> context.runOnContext(v ->
            asking.kit().requester().request(Exchanges.CLASSIFY, request).onComplete(p))));
        if (!reply.getWorker().equals(Integer.toString(e.getValue().length))) {
          throw new IllegalStateException("the echo saw " + reply.getWorker() + " bytes");
        }
        if (r >= 0) {
          ms.get(e.getKey())[r] = (System.nanoTime() - t0) / 1e6;
        }
      }
    }
    LoadGenerator.await(asking.close(Duration.ofSeconds(2)));
    LoadGenerator.await(echo.close(Duration.ofSeconds(2)));
    return ms;
  }

  /** Per image: {total, decode, compute, the rest} in ms for each round. */
  private static Map<String, double[][]> httpClassify(String bootstrap, Path store, Map<String, byte[]> images,
                                                     int rounds) throws Exception {
    RunningService worker = BenchSetup.start(InferenceWorkerMain.DEFINITION, bootstrap, Map.of(
        "CONVNET_MODEL_STORE", store.toString(), "CONVNET_SCORE_ENABLED", "false"));
    RunningService gateway = BenchSetup.start(GatewayMain.DEFINITION, bootstrap, Map.of());
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    URI uri = URI.create("http://127.0.0.1:" + gateway.httpPort() + "/v1/models/cats-vs-dogs:classify");
    Map<String, double[][]> ms = new LinkedHashMap<>();
    images.keySet().forEach(k -> ms.put(k, new double[4][rounds]));
    for (int r = -2; r < rounds; r++) {
      for (var e : images.entrySet()) {
        long t0 = System.nanoTime();
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).header("content-type", "image/jpeg")
            .POST(HttpRequest.BodyPublishers.ofByteArray(e.getValue())).build(), HttpResponse.BodyHandlers.ofString());
        double total = (System.nanoTime() - t0) / 1e6;
        if (response.statusCode() != 200) {
          throw new IllegalStateException(e.getKey() + ": " + response.statusCode() + " " + response.body());
        }
        JsonObject t = new JsonObject(response.body()).getJsonObject("timing");
        if (r >= 0) {
          double[][] m = ms.get(e.getKey());
          m[0][r] = total;
          m[1][r] = t.getDouble("decodeMs");
          m[2][r] = t.getDouble("computeMs");
          m[3][r] = total - t.getDouble("decodeMs") - t.getDouble("queueMs") - t.getDouble("computeMs");
        }
      }
    }
    LoadGenerator.await(gateway.close(Duration.ofSeconds(2)));
    LoadGenerator.await(worker.close(Duration.ofSeconds(2)));
    return ms;
  }

  private static double p50(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
