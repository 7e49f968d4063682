package io.convnet.viz;

import io.convnet.viz.ActivationMaximization.FilterImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Filter visualizations as one PNG grid: a row per layer, each tile captioned with its activations. */
public final class FilterGrid {
  private FilterGrid() {}

  /** Reached / natural maximum; infinite when the filter never fires on real images, NaN when unknown. */
  public static double ratio(double reached, double naturalMax) {
    if (Double.isNaN(naturalMax)) {
      return Double.NaN;
    }
    if (naturalMax <= 0) {
      return reached > 0 ? Double.POSITIVE_INFINITY : Double.NaN;
    }
    return reached / naturalMax;
  }

  public static java.awt.image.BufferedImage render(String title, List<FilterImage> images, NaturalMaxima natural,
      int tileSize) {
    Map<String, List<Rendering.Tile>> rows = new LinkedHashMap<>();
    for (FilterImage f : images) {
      double nat = natural == null ? Double.NaN : natural.max(f.layer(), f.filter());
      double ratio = ratio(f.reached(), nat);
      String second = Double.isNaN(ratio) ? "" : Double.isInfinite(ratio) ? "natural max 0"
          : String.format(Locale.ROOT, "%.1fx natural", ratio);
      rows.computeIfAbsent(f.layer(), k -> new ArrayList<>()).add(new Rendering.Tile(
          f.image().toBufferedImage(),
          List.of(String.format(Locale.ROOT, "#%d  %.3g%s", f.filter(), f.reached(), f.preactivation() ? " (pre)" : ""),
              second)));
    }
    List<Rendering.Row> out = new ArrayList<>();
    rows.forEach((layer, tiles) -> out.add(new Rendering.Row(List.of(layer), tiles)));
    return Rendering.grid(title, out, tileSize);
  }
}
