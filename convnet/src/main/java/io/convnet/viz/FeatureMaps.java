package io.convnet.viz;

import io.convnet.bundle.Manifest;
import io.convnet.image.RgbImage;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What each layer sees: the outputs of chosen layers for one image, the first N channels of each, fetched
 * in one forward pass. Display normalisation per channel as in Chollet's notebook: standardise, times
 * 64, plus 128, clipped to 0..255 (here: divided by 255 and coloured with viridis).
 */
public final class FeatureMaps {
  public static final int DEFAULT_CHANNELS = 8;
  public static final int MAX_CHANNELS = 64;

  private FeatureMaps() {}

  /** One channel's raw values (row-major, height x width) and their statistics. */
  public record Channel(int index, float min, float max, float mean, float[] values) {}

  public record LayerMaps(String layer, String type, int height, int width, int channels, List<Channel> shown) {}

  public record Result(List<LayerMaps> layers, float[] probabilities) {}

  /** Layers with a spatial output (conv, pooling); the others cannot be shown as maps. */
  public static List<String> spatialLayers(VisualModel model) {
    return model.manifest().layers().stream().filter(l -> l.outputShape().length == 3).map(Manifest.LayerEntry::name)
        .toList();
  }

  /**
   * @param layers layer names; empty means every conv layer
   * @param channels first N channels per layer (fewer if the layer has fewer)
   */
  public static Result compute(VisualModel model, RgbImage image, List<String> layers, int channels) {
    if (channels < 1 || channels > MAX_CHANNELS) {
      throw new IllegalArgumentException("channels must be 1.." + MAX_CHANNELS + ", not " + channels);
    }
    List<String> names = layers.isEmpty() ? model.convLayers() : List.copyOf(new LinkedHashSet<>(layers));
    for (String name : names) {
      Manifest.LayerEntry l = model.layer(name);
      if (l.outputShape().length != 3) {
        throw new IllegalArgumentException("layer '" + name + "' (" + l.type() + ") has no feature maps (output shape "
            + java.util.Arrays.toString(l.outputShape()) + "); layers with feature maps: "
            + String.join(", ", spatialLayers(model)));
      }
    }
    float[] x = model.preprocessing().apply(image);
    List<String> fetch = new ArrayList<>(names);
    fetch.add(io.convnet.nn.GraphNames.PROBABILITIES);
    Map<String, VisualModel.Activation> acts = model.activations(x, 1, fetch);
    List<LayerMaps> out = new ArrayList<>();
    for (String name : names) {
      VisualModel.Activation a = acts.get(name);
      int h = (int) a.shape()[1];
      int w = (int) a.shape()[2];
      int c = (int) a.shape()[3];
      List<Channel> shown = new ArrayList<>();
      for (int k = 0; k < Math.min(channels, c); k++) {
        float[] v = new float[h * w];
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        double sum = 0;
        for (int p = 0; p < h * w; p++) {
          v[p] = a.values()[p * c + k];
          min = Math.min(min, v[p]);
          max = Math.max(max, v[p]);
          sum += v[p];
        }
        shown.add(new Channel(k, min, max, (float) (sum / (h * w)), v));
      }
      out.add(new LayerMaps(name, model.layer(name).type(), h, w, c, shown));
    }
    return new Result(out, acts.get(io.convnet.nn.GraphNames.PROBABILITIES).values());
  }

  /** Chollet's display normalisation, to [0, 1]. */
  public static float[] displayValues(float[] v) {
    double mean = 0;
    for (float f : v) {
      mean += f;
    }
    mean /= v.length;
    double var = 0;
    for (float f : v) {
      var += (f - mean) * (f - mean);
    }
    double std = Math.sqrt(var / v.length);
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      double z = std > 1e-12 ? (v[i] - mean) / std : 0;
      out[i] = (float) (Math.max(0, Math.min(255, z * 64 + 128)) / 255);
    }
    return out;
  }

  /** One PNG grid: a row per layer, a tile per channel. */
  public static BufferedImage render(String title, Result result, int tileSize) {
    List<Rendering.Row> rows = new ArrayList<>();
    for (LayerMaps l : result.layers()) {
      List<Rendering.Tile> tiles = new ArrayList<>();
      for (Channel ch : l.shown()) {
        BufferedImage img = Rendering.colormapped(displayValues(ch.values()), l.width(), l.height());
        tiles.add(new Rendering.Tile(img, List.of("#" + ch.index() + String.format(Locale.ROOT, " max %.3g", ch.max()))));
      }
      rows.add(new Rendering.Row(List.of(l.layer(), l.height() + "x" + l.width() + "x" + l.channels()), tiles));
    }
    return Rendering.grid(title, rows, tileSize);
  }
}
