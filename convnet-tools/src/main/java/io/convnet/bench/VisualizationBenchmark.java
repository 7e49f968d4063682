package io.convnet.bench;

import io.convnet.image.ImageDecoder;
import io.convnet.image.RgbImage;
import io.convnet.nn.GraphNames;
import io.convnet.viz.ActivationMaximization;
import io.convnet.viz.ActivationMaximization.FilterImage;
import io.convnet.viz.AscentOptions;
import io.convnet.viz.AscentProgress;
import io.convnet.viz.ClassVisualization;
import io.convnet.viz.FeatureMaps;
import io.convnet.viz.FilterGrid;
import io.convnet.viz.GradCam;
import io.convnet.viz.NaturalMaxima;
import io.convnet.viz.OutputBound;
import io.convnet.viz.Rendering;
import io.convnet.viz.Saliency;
import io.convnet.viz.VisualModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Visualization figures for one bundle, printed: time per ascent step and per 8-filter grid against one
 * forward+backward pass at batch 1 measured in the same run; the quality of the default filter grids
 * (reached activation / natural maximum over the validation images); and the images (filter grids,
 * class outputs, feature maps, saliency, Grad-CAM of a real photo) written as PNGs.
 * Run as {@code convnet bench visualization --bundle models/cats-vs-dogs/3 [--out docs/images] ...}.
 */
public final class VisualizationBenchmark {
  private VisualizationBenchmark() {}

  /**
   * What to measure and draw.
   *
   * @param validation validation images for the natural maxima; null = the manifest's data set under {@code dataRoot}
   * @param out where the PNGs go; null = figures only
   * @param onlyLayers layers of the quality grids; null = the last conv layer of each block
   * @param photo the image of the feature maps, saliency and Grad-CAM; null = the first dog in {@code validation}
   */
  public record Settings(Path bundle, Path dataRoot, Path validation, Path out, int filters, int rounds,
      int maxPerClass, int batch, List<String> onlyLayers, boolean skipTiming, boolean skipImages, Path photo,
      int tile, AscentOptions options) {}

  public static void run(Settings s, PrintWriter p) throws IOException {
    try (VisualModel model = VisualModel.load(s.bundle())) {
      p.printf(Locale.ROOT, "model %s v%d (%s), input %dx%d, conv layers %s, default grid layers %s%n", model.name(),
          model.version(), model.manifest().architecture(), model.height(), model.width(), model.convLayers(),
          model.lastConvOfEachBlock());
      Path validation = s.validation() != null ? s.validation()
          : NaturalMaxima.validationDir(model.manifest(), s.dataRoot()).orElseThrow(() -> new IllegalArgumentException(
              "no validation folder recorded in the manifest under " + s.dataRoot() + "; pass --validation DIR"));
      p.println("options: " + s.options());
      if (!s.skipTiming()) {
        timing(model, s.options(), s.filters(), s.rounds(), p);
      }
      long t0 = System.nanoTime();
      NaturalMaxima natural = NaturalMaxima.compute(model, validation, s.maxPerClass());
      p.printf(Locale.ROOT, "natural maxima: %d images of %s in %.1f s%n", natural.images(), validation,
          (System.nanoTime() - t0) / 1e9);
      quality(model, s.options(), s.filters(), s.batch(), natural, s.out(), s.onlyLayers(), s.tile(), p);
      if (s.out() != null && !s.skipImages()) {
        Path photo = s.photo() != null ? s.photo() : firstImage(validation);
        images(model, s.options(), photo, s.out(), p);
      }
    }
  }

  private static void timing(VisualModel model, AscentOptions options, int filters, int rounds, PrintWriter p) {
    float[] x = new float[model.preprocessing().floatsPerImage()];
    Arrays.fill(x, model.pixels().gray()[0]);
    float[] w = model.classWeights(0);
    List<String> blocks = model.lastConvOfEachBlock();
    String layer = blocks.get(blocks.size() - 1);
    int[] ids = IntStream.range(0, Math.min(filters, model.channels(layer))).toArray();
    for (int warm = 0; warm < 3; warm++) {
      model.gradient(List.of(GraphNames.LOGITS), x, 1, List.of(w));
      ActivationMaximization.filters(model, layer, ids, options.withSteps(2), 1, AscentProgress.NONE, 0, 1);
      ActivationMaximization.filters(model, layer, ids, options.withSteps(2), ids.length, AscentProgress.NONE, 0, 1);
    }
    // passes, grid at batch 1, passes, grid at batch n, passes: each grid is compared with the passes around it
    double[] before = passes(model, x, w, rounds);
    long t0 = System.nanoTime();
    ActivationMaximization.filters(model, layer, ids, options, 1, AscentProgress.NONE, 0, 1);
    double grid1 = (System.nanoTime() - t0) / 1e9;
    double[] middle = passes(model, x, w, rounds);
    t0 = System.nanoTime();
    ActivationMaximization.filters(model, layer, ids, options, ids.length, AscentProgress.NONE, 0, 1);
    double gridN = (System.nanoTime() - t0) / 1e9;
    double[] after = passes(model, x, w, rounds);
    double pass1 = median(concat(before, middle));
    double pass2 = median(concat(middle, after));
    int passesPerImage = options.steps() + 1;  // the steps plus the final scoring pass
    double step1 = grid1 * 1000 / (ids.length * passesPerImage);
    double stepN = gridN * 1000 / passesPerImage;
    p.printf(Locale.ROOT, "forward+backward pass at batch 1 (logits -> input), median of %d before / between / after"
        + " the grids: %.2f / %.2f / %.2f ms%n", rounds, median(before), median(middle), median(after));
    p.printf(Locale.ROOT, "TIMING ascent step at batch 1 (%s, regularizers included): %.2f ms = %.2f x the "
        + "forward+backward pass (%.2f ms)%n", layer, step1, step1 / pass1, pass1);
    p.printf(Locale.ROOT, "TIMING %d-filter grid of %s, %d steps, batch 1: %.2f s = %.2f x %d x %d passes%n",
        ids.length, layer, options.steps(), grid1, grid1 * 1000 / (pass1 * ids.length * passesPerImage), ids.length,
        passesPerImage);
    p.printf(Locale.ROOT, "TIMING %d-filter grid of %s, %d steps, batch %d: %.2f s, %.1f ms per batched step = %.2f x "
        + "%d passes at batch 1 (%.2f ms)%n", ids.length, layer, options.steps(), ids.length, gridN, stepN,
        stepN / (pass2 * ids.length), ids.length, pass2);
  }

  private static double[] passes(VisualModel model, float[] x, float[] w, int rounds) {
    double[] t = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      long t0 = System.nanoTime();
      model.gradient(List.of(GraphNames.LOGITS), x, 1, List.of(w));
      t[r] = (System.nanoTime() - t0) / 1e6;
    }
    return t;
  }

  private static double[] concat(double[] a, double[] b) {
    double[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static void quality(VisualModel model, AscentOptions options, int filters, int batch, NaturalMaxima natural,
      Path out, List<String> onlyLayers, int tile, PrintWriter p) throws IOException {
    List<FilterImage> all = new ArrayList<>();
    long t0 = System.nanoTime();
    for (String layer : onlyLayers == null ? model.lastConvOfEachBlock() : onlyLayers) {
      int n = Math.min(filters, model.channels(layer));
      all.addAll(ActivationMaximization.filters(model, layer, IntStream.range(0, n).toArray(), options, batch,
          AscentProgress.NONE, 0, 1));
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    p.printf(Locale.ROOT, "default grids (%s, %d filters each, %d steps): %.1f s%n", model.lastConvOfEachBlock(),
        filters, options.steps(), seconds);
    p.println("layer         filter   reached   natural   ratio     bound    tiling   (first layer: bound = largest "
        + "possible output; tiling = best repeated 1..6 px tile of extreme pixels found)");
    int good = 0;
    int outOfReach = 0;
    List<Double> ratios = new ArrayList<>();
    Map<String, double[]> bounds = new HashMap<>();
    for (FilterImage f : all) {
      double nat = natural.max(f.layer(), f.filter());
      double ratio = FilterGrid.ratio(f.reached(), nat);
      ratios.add(ratio);
      good += ratio >= 2 ? 1 : 0;
      boolean first = OutputBound.applies(model, f.layer());
      double bound = first ? bounds.computeIfAbsent(f.layer(), l -> OutputBound.of(model, l))[f.filter()] : Double.NaN;
      double tiling = first ? bounds.computeIfAbsent(f.layer() + "/tiling", l -> OutputBound.bestTiling(model,
          f.layer(), 6, 20, 1))[f.filter()] : Double.NaN;
      boolean unreachable = bound < 2 * nat;
      outOfReach += unreachable && ratio < 2 ? 1 : 0;
      p.printf(Locale.ROOT, "%-12s %7d %9.4f %9.4f %7.2f %9s %9s%s%s%n", f.layer(), f.filter(), f.reached(), nat,
          ratio, Double.isNaN(bound) ? "" : String.format(Locale.ROOT, "%.4f", bound),
          Double.isNaN(tiling) ? "" : String.format(Locale.ROOT, "%.4f", tiling),
          unreachable ? "  (2x natural is above the bound: out of reach)" : "",
          f.preactivation() ? "  (dead: pre-activation only)" : "");
    }
    double[] finite = ratios.stream().filter(r -> !Double.isNaN(r) && !Double.isInfinite(r))
        .mapToDouble(Double::doubleValue).toArray();
    p.printf(Locale.ROOT, "QUALITY: %d of %d filters (%.0f%%) reach >= 2x their natural maximum; median ratio %.2f, "
        + "min %.2f%n", good, all.size(), 100.0 * good / all.size(), median(finite),
        Arrays.stream(finite).min().orElse(Double.NaN));
    if (outOfReach > 0) {
      p.printf(Locale.ROOT, "QUALITY: %d of the %d below 2x cannot reach it (first layer: 2x natural exceeds the "
          + "largest output any input gives); they stay counted as misses above%n", outOfReach, all.size() - good);
    }
    if (out != null) {
      Files.createDirectories(out);
      String title = String.format(Locale.ROOT, "%s v%d: filters by activation maximization (%d steps); reached "
          + "mean activation, and its ratio to the largest over %d validation images", model.name(), model.version(),
          options.steps(), natural.images());
      Files.write(out.resolve("filters.png"), Rendering.png(FilterGrid.render(title, all, natural, tile)));
    }
  }

  private static void images(VisualModel model, AscentOptions options, Path photo, Path out, PrintWriter p)
      throws IOException {
    RgbImage image = ImageDecoder.standard().decode(photo);
    String name = photo.getFileName().toString();
    List<Rendering.Tile> classes = new ArrayList<>();
    for (String label : model.labels()) {
      long t0 = System.nanoTime();
      var c = ClassVisualization.visualize(model, label, options, AscentProgress.NONE);
      p.printf(Locale.ROOT, "class '%s': logit %.2f, probability %.4f, %.1f s%n", label, c.logit(), c.probability(),
          (System.nanoTime() - t0) / 1e9);
      classes.add(new Rendering.Tile(c.image().toBufferedImage(),
          List.of(String.format(Locale.ROOT, "%s: logit %.1f, p %.3f", label, c.logit(), c.probability()))));
    }
    Files.write(out.resolve("classes.png"), Rendering.png(Rendering.grid(model.name() + ": what the model thinks each "
        + "class looks like", List.of(new Rendering.Row(List.of(), classes)), 200)));
    var maps = FeatureMaps.compute(model, image, List.of(), FeatureMaps.DEFAULT_CHANNELS);
    Files.write(out.resolve("feature-maps.png"), Rendering.png(FeatureMaps.render(model.name()
        + ": feature maps of " + name, maps, 96)));
    Files.write(out.resolve("saliency.png"), Rendering.png(Saliency.vanilla(model, image, null).render(name, 2)));
    long t0 = System.nanoTime();
    var smooth = Saliency.smoothGrad(model, image, null, Saliency.DEFAULT_SAMPLES, Saliency.DEFAULT_NOISE, 1);
    p.printf(Locale.ROOT, "SmoothGrad, %d samples: %.2f s%n", Saliency.DEFAULT_SAMPLES, (System.nanoTime() - t0) / 1e9);
    Files.write(out.resolve("smoothgrad.png"), Rendering.png(smooth.render(name, 2)));
    Files.write(out.resolve("grad-cam.png"), Rendering.png(GradCam.compute(model, image, null, null).render(name, 2)));
    p.println("images written to " + out);
  }

  private static Path firstImage(Path folder) throws IOException {
    try (Stream<Path> s = Files.walk(folder)) {
      return s.filter(f -> f.getFileName().toString().endsWith(".jpg")).sorted()
          .filter(f -> f.getFileName().toString().startsWith("dog")).findFirst().orElseThrow(() -> new IllegalArgumentException("no .jpg under " + folder));
    }
  }

  private static double median(double[] v) {
    if (v.length == 0) {
      return Double.NaN;
    }
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
