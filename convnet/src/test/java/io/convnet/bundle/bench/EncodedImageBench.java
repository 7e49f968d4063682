package io.convnet.bundle.bench;

import io.convnet.arch.Architectures;
import io.convnet.bundle.BundleStore;
import io.convnet.bundle.Manifest;
import io.convnet.data.Preprocessing;
import io.convnet.image.ImageDecoder;
import io.convnet.image.Resize;
import io.convnet.image.TestImages;
import io.convnet.infer.Predictor;
import io.convnet.nn.Model;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Encoded images through the graph ({@code serving_bytes}) against the Java path (ImageDecoder +
 * Preprocessing on one thread, then the float signature), on the tutorial CNN at 150x150, side by side
 * in one run; the real 180x180 photos and the same photos enlarged to 1600x1200 (a phone upload).
 * Not a unit test: prints figures.
 *
 * <pre>java -cp ... io.convnet.bundle.bench.EncodedImageBench [data-dir] [images] [work-dir]</pre>
 */
public final class EncodedImageBench {
  private EncodedImageBench() {}

  public static void main(String[] args) throws IOException {
    Path dir = args.length > 0 ? Paths.get(args[0]) : TestImages.catsVsDogs().resolve("validation");
    int count = args.length > 1 ? Integer.parseInt(args[1]) : 64;
    Path work = args.length > 2 ? Paths.get(args[2]) : Files.createTempDirectory("encoded-bench");
    List<byte[]> photos = new ArrayList<>();
    for (String cls : List.of("cat", "dog")) {
      try (Stream<Path> s = Files.list(dir.resolve(cls))) {
        for (Path p : s.sorted().limit(count / 2).toList()) {
          photos.add(Files.readAllBytes(p));
        }
      }
    }
    List<byte[]> large = photos.stream().limit(16).map(b -> TestImages.jpeg(
        Resize.bilinear(ImageDecoder.standard().decode(b, "photo"), 1600, 1200))).toList();
    var manifest = new Manifest(Manifest.FORMAT_VERSION, "bench", 0, "tutorial-cnn", "2026-12-06T00:00:00Z", null,
        new Manifest.Preprocessing("RESCALE", 1 / 255.0), List.of("cat", "dog"), null, null, null, null, null, null);
    BundleStore store = new BundleStore(work);
    Manifest floatOnly = new Manifest(Manifest.FORMAT_VERSION, "bench-floats", 0, "tutorial-cnn", manifest.createdAt(),
        null, new Manifest.Preprocessing("NOT_IN_GRAPH", 1.0), manifest.labels(), null, null, null, null, null, null);
    double[] exportSeconds = new double[2];
    int version = 0;
    try (Model m = Architectures.get("tutorial-cnn").define(150, 2).build(1)) {
      for (int round = 0; round < 2; round++) { // the second round is reported: warm
        long t0 = System.nanoTime();
        store.publish("bench-floats", m, floatOnly);
        exportSeconds[0] = (System.nanoTime() - t0) / 1e9;
        t0 = System.nanoTime();
        version = store.publish("bench", m, manifest);
        exportSeconds[1] = (System.nanoTime() - t0) / 1e9;
      }
    }
    Path floats = store.path("bench-floats", store.latestVersion("bench-floats").orElseThrow());
    System.out.printf(Locale.ROOT, "export: %.2f s float signatures only (saved_model.pb %d KB), %.2f s with the "
        + "encoded-image signatures (%d KB)%n", exportSeconds[0], Files.size(floats.resolve("saved_model.pb")) / 1024,
        exportSeconds[1], Files.size(store.path("bench", version).resolve("saved_model.pb")) / 1024);
    Path bundle = store.path("bench", version);
    long t0 = System.nanoTime();
    try (Predictor p = Predictor.open(bundle)) {
      double loadSeconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf(Locale.ROOT, "tutorial CNN 150x150: load %.2f s; "
          + "%d photos (%.1f KB, 180x180) and %d enlarged to 1600x1200 (%.0f KB); best and median of 5 rounds%n",
          loadSeconds, photos.size(),
          photos.stream().mapToInt(b -> b.length).average().orElse(0) / 1024, large.size(),
          large.stream().mapToInt(b -> b.length).average().orElse(0) / 1024);
      Preprocessing prep = Preprocessing.rescale(150, 150);
      for (var set : Map.of("180x180", photos, "1600x1200", large).entrySet()) {
        List<byte[]> images = set.getValue();
        for (int batch : new int[] {1, 32}) {
          if (batch > images.size()) {
            continue;
          }
          report(set.getKey(), batch, images, "preprocess only, Java (1 thread)", b -> javaInput(prep, b));
          report(set.getKey(), batch, images, "preprocess only, in graph", p::inGraphInput);
          report(set.getKey(), batch, images, "Java preprocess + float signature", b -> p.predict(javaInput(prep, b),
              b.size()));
          report(set.getKey(), batch, images, "serving_bytes (all in graph)", p::predictEncoded);
        }
      }
    }
  }

  private static float[] javaInput(Preprocessing prep, List<byte[]> images) {
    float[] out = new float[images.size() * prep.floatsPerImage()];
    for (int i = 0; i < images.size(); i++) {
      prep.apply(ImageDecoder.standard().decode(images.get(i), "image"), out, i * prep.floatsPerImage());
    }
    return out;
  }

  private static void report(String set, int batch, List<byte[]> images, String what, Consumer<List<byte[]>> run) {
    List<List<byte[]>> batches = new ArrayList<>();
    for (int i = 0; i + batch <= images.size(); i += batch) {
      batches.add(images.subList(i, i + batch));
    }
    run.accept(batches.get(0)); // warm up
    double[] msPerImage = new double[5];
    for (int round = 0; round < msPerImage.length; round++) {
      long t = System.nanoTime();
      batches.forEach(run);
      msPerImage[round] = (System.nanoTime() - t) / 1e6 / (batches.size() * batch);
    }
    Arrays.sort(msPerImage);
    System.out.printf(Locale.ROOT, "%-9s batch %2d  %-36s %7.2f ms/image (median %7.2f)  %7.1f images/s%n", set, batch,
        what, msPerImage[0], msPerImage[2], 1000 / msPerImage[2]);
  }
}
