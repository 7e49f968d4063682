package io.convnet.viz;

import io.convnet.image.RgbImage;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A saliency or Grad-CAM result: a map over the model input (values in [0, 1]) for one class, and the
 * input as the model saw it.
 *
 * @param method "saliency", "smoothgrad" or "grad-cam"
 * @param label the class explained; {@code index} its position in the labels
 * @param probability the model's probability for that class on the input
 * @param map {@code height x width}, row-major, in [0, 1]
 * @param rawMax the largest raw value before normalisation (gradient magnitude, or class activation)
 * @param input the model-size input image the map lies over
 * @param probabilities every class's probability
 */
public record HeatMap(String method, String label, int index, double probability, int width, int height,
    float[] map, double rawMax, RgbImage input, float[] probabilities) {

  /** Three panels: the input, the map, the map over the input; each shown at {@code scale} times. */
  public BufferedImage render(String title, int scale) {
    int tile = Math.max(width, height) * scale;
    List<Rendering.Tile> tiles = List.of(
        new Rendering.Tile(input.toBufferedImage(), List.of("input")),
        new Rendering.Tile(Rendering.colormapped(map, width, height), List.of(method)),
        new Rendering.Tile(Rendering.overlay(input, map), List.of("overlay")));
    String line = String.format(Locale.ROOT, "%s - %s for '%s' (p = %.3f)", title, method, label, probability);
    return Rendering.grid(line, List.of(new Rendering.Row(List.of(), tiles)), tile);
  }

  /** Scales values into [0, 1] by their {@code quantile} (e.g. 0.99), so one hot pixel does not flatten the rest. */
  static float[] normalise(float[] v, double quantile) {
    float[] sorted = v.clone();
    Arrays.sort(sorted);
    float top = sorted[Math.min(sorted.length - 1, (int) Math.floor(quantile * (sorted.length - 1)))];
    if (!(top > 0)) {
      top = sorted[sorted.length - 1];
    }
    float[] out = new float[v.length];
    if (top > 0) {
      for (int i = 0; i < v.length; i++) {
        out[i] = Math.max(0, Math.min(1, v[i] / top));
      }
    }
    return out;
  }
}
