package io.convnet.bench;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The explorer's round trips against a running cluster ({@code ./run.sh}): {@code POST
 * /v1/models/{model}/explore} with one drawing after another, as the page sends them while a digit is drawn
 * (one request in flight), printing p50, p95 and p99 of the HTTP round trip, the visualizer's own decode,
 * TensorFlow and encode times, the answer's size and the gateway's own Kafka request time; then the same drawings
 * with answers of other sizes and a plain Kafka round trip, interleaved, to show where the rest of the time goes. With a second model and image (a large model: the tutorial CNN and a
 * photo) it also prints the answer's size and round trip for each encoding and channel count.
 *
 * <pre>
 * java -cp "src-test/target/test-classes:$(cat src-test/target/test-classpath.txt)" io.convnet.bench.ExploreBenchmark \
 *     http://localhost:8080 lenet-5 ../shared/datasets/mnist/validation 100 [cats-vs-dogs photo.jpg]
 * </pre>
 */
public final class ExploreBenchmark {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final int WARM_UP = 20;
  /** What the page asks for a small model's drawing (explorer.js {@code options}). */
  private static final String PAGE_QUERY = "encoding=float32&channels=16";

  private ExploreBenchmark() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 4) {
      System.err.println("usage: ExploreBenchmark <gateway url> <model> <folder of drawings (PNG)> <count> "
          + "[<large model> <photo>]");
      System.exit(2);
    }
    String url = args[0];
    String model = args[1];
    int count = Integer.parseInt(args[3]);
    List<byte[]> drawings = images(Path.of(args[2]), count + WARM_UP);
    System.out.printf(Locale.ROOT, "CPU: %s, %d cores; gateway %s%n", io.convnet.util.Machine.cpu(),
        Runtime.getRuntime().availableProcessors(), url);
    for (int i = 0; i < WARM_UP; i++) {
      explore(url, model, drawings.get(i), PAGE_QUERY);
    }
    double[] timersBefore = gatewayTimers(url);
    List<Double> trips = new ArrayList<>();
    List<Double> decode = new ArrayList<>();
    List<Double> run = new ArrayList<>();
    List<Double> encode = new ArrayList<>();
    long bytes = 0;
    for (int i = 0; i < count; i++) {
      long start = System.nanoTime();
      String body = explore(url, model, drawings.get(WARM_UP + i), PAGE_QUERY);
      trips.add((System.nanoTime() - start) / 1e6);
      JsonObject t = new JsonObject(body).getJsonObject("timings");
      decode.add(t.getDouble("decodeMs"));
      run.add(t.getDouble("runMs"));
      encode.add(t.getDouble("encodeMs"));
      bytes += body.length();
    }
    double[] timersAfter = gatewayTimers(url);
    System.out.printf(Locale.ROOT, "%s: %d drawings one after another (float32, every channel): round trip p50 %.1f ms, "
        + "p95 %.1f ms, p99 %.1f ms, max %.1f ms; in the visualizer p50 decode %.2f ms, TensorFlow %.2f ms, encode "
        + "%.2f ms; answer %.1f KB%n", model, count, pct(trips, 50), pct(trips, 95), pct(trips, 99), pct(trips, 100),
        pct(decode, 50), pct(run, 50), pct(encode, 50), bytes / 1024.0 / count);
    if (timersAfter[0] > timersBefore[0] && timersAfter[2] > timersBefore[2]) {
      System.out.printf(Locale.ROOT, "  means: round trip %.1f ms; the gateway's HTTP server time %.1f ms, of which its "
          + "Kafka request to the visualizer and back %.1f ms, of which the visualizer's decode + TensorFlow + encode "
          + "%.1f ms%n", mean(trips), (timersAfter[3] - timersBefore[3]) / (timersAfter[2] - timersBefore[2]),
          (timersAfter[1] - timersBefore[1]) / (timersAfter[0] - timersBefore[0]), mean(decode) + mean(run) + mean(encode));
    }
    interleaved(url, model, drawings, count);

    if (args.length >= 6) {
      String large = args[4];
      byte[] photo = Files.readAllBytes(Path.of(args[5]));
      System.out.printf("%n%s, %s: answer size and round trip (p50 of 10) by encoding and channels per layer%n", large,
          args[5]);
      System.out.println("| encoding | channels | answer | round trip p50 | TensorFlow | encode |");
      System.out.println("|---|---|---|---|---|---|");
      for (String encoding : List.of("uint8", "float32")) {
        for (int channels : new int[] {4, 8, 16}) {
          String q = "encoding=" + encoding + "&channels=" + channels;
          String body = null;
          List<Double> t = new ArrayList<>();
          List<Double> tf = new ArrayList<>();
          List<Double> enc = new ArrayList<>();
          explore(url, large, photo, q);
          for (int i = 0; i < 10; i++) {
            long start = System.nanoTime();
            body = explore(url, large, photo, q);
            t.add((System.nanoTime() - start) / 1e6);
            JsonObject timings = new JsonObject(body).getJsonObject("timings");
            tf.add(timings.getDouble("runMs"));
            enc.add(timings.getDouble("encodeMs"));
          }
          System.out.printf(Locale.ROOT, "| %s | %d | %.0f KB | %.1f ms | %.1f ms | %.1f ms |%n", encoding, channels,
              body.length() / 1024.0, pct(t, 50), pct(tf, 50), pct(enc, 50));
        }
      }
    }
  }

  /**
   * The same drawings, one request at a time, cycling through answers of different sizes and a Kafka round trip
   * without TensorFlow, so that every row sees the same machine: what the answer's size costs, and what is left
   * for the hops themselves.
   */
  static void interleaved(String url, String model, List<byte[]> drawings, int count) throws Exception {
    String[] names = {"explore, float32, every channel (the page's query for a small model)",
        "explore, uint8, every channel", "explore, the output layer only (same TensorFlow run, tiny answer)",
        "GET /v1/models (a Kafka round trip to a worker, no TensorFlow)"};
    String[] queries = {PAGE_QUERY, "encoding=uint8&channels=16", "layers=output", null};
    List<List<Double>> trips = new ArrayList<>();
    long[] bytes = new long[queries.length];
    for (int k = 0; k < queries.length; k++) {
      trips.add(new ArrayList<>());
    }
    for (int i = 0; i < count; i++) {
      for (int k = 0; k < queries.length; k++) {
        long start = System.nanoTime();
        String body = queries[k] == null ? get(url + "/v1/models") : explore(url, model, drawings.get(WARM_UP + i),
            queries[k]);
        trips.get(k).add((System.nanoTime() - start) / 1e6);
        bytes[k] += body.length();
      }
    }
    System.out.printf(Locale.ROOT, "%ninterleaved, %d rounds (one request at a time, the rows taking turns)%n", count);
    System.out.println("| request | answer | p50 | p99 | mean |");
    System.out.println("|---|---|---|---|---|");
    for (int k = 0; k < queries.length; k++) {
      List<Double> t = trips.get(k);
      System.out.printf(Locale.ROOT, "| %s | %.1f KB | %.1f ms | %.1f ms | %.1f ms |%n", names[k],
          bytes[k] / 1024.0 / count, pct(t, 50), pct(t, 99), mean(t));
    }
  }

  /**
   * The gateway's timers from its {@code /metrics}: {count, total ms} of its Kafka requests to the visualizer
   * ({@code convnet.requests}), then of its HTTP server time on the explore route; zeros when not found.
   */
  static double[] gatewayTimers(String url) {
    double[] out = new double[4];
    String[] prefixes = {"convnet_requests_seconds_%s{exchange=\"visualize\",outcome=\"OK\"",
        "vertx_http_server_response_time_seconds_%s{code=\"200\",method=\"POST\",route=\"/v1/models/{name}"
            + "[/versions/{v}]/explore\""};
    try {
      for (String line : get(url + "/metrics").split("\n")) {
        for (int k = 0; k < prefixes.length; k++) {
          if (line.startsWith(String.format(prefixes[k], "count"))) {
            out[2 * k] = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
          } else if (line.startsWith(String.format(prefixes[k], "sum"))) {
            out[2 * k + 1] = 1000 * Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
          }
        }
      }
    } catch (Exception e) {
      // metrics not reachable: the split is left out
    }
    return out;
  }

  static String get(String url) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET()
        .build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(url + " answered " + r.statusCode());
    }
    return r.body();
  }

  static double mean(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).average().orElse(0);
  }

  static String explore(String url, String model, byte[] image, String query) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/v1/models/" + model + "/explore?"
        + query)).timeout(Duration.ofSeconds(30)).header("content-type", "image/png")
        .POST(HttpRequest.BodyPublishers.ofByteArray(image)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("explore answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }

  /** Up to {@code n} images of the folder (recursively, sorted), repeated when it has fewer. */
  static List<byte[]> images(Path folder, int n) throws Exception {
    List<Path> files;
    try (Stream<Path> s = Files.walk(folder)) {
      files = s.filter(p -> p.toString().matches("(?i).*\\.(png|jpe?g)$")).sorted().toList();
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no PNG or JPEG under " + folder);
    }
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {  // every 7th file: a mix of digits from a folder sorted by class
      out.add(Files.readAllBytes(files.get((int) ((long) i * 7 % files.size()))));
    }
    return out;
  }

  static double pct(List<Double> values, int p) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return v[Math.min(v.length - 1, (int) Math.ceil(p / 100.0 * v.length) - 1)];
  }
}
