package io.convnet.viz;

import java.util.List;
import java.util.Map;

/**
 * The largest output a filter of the first conv layer can give anywhere, on any valid input:
 * {@code relu(bias + sum over the kernel of max(w * low, w * high))}, each input value in its channel's
 * pixel range (zero padding lies inside it). Its spatial mean cannot exceed this either, so where twice
 * the natural maximum is above it no ascent can reach ratio 2: that filter's bar is out of reach.
 * Deeper layers have no such simple bound.
 *
 * <p>{@link #bestTiling} gives the other side: the best mean output found for images that repeat a small
 * tile of extreme pixels (each value its channel's low or high), by coordinate ascent from random tiles.
 * It is reachable (a real image, border effects aside), so it shows roughly where a filter's ceiling is
 * when the bound is loose: a filter that likes one flat colour, which bright skies or walls in real photos
 * already show it, has little room above its natural maximum.
 */
public final class OutputBound {
  private OutputBound() {}

  /** Whether {@code layer} reads the model input directly (the first layer, a convolution). */
  public static boolean applies(VisualModel model, String layer) {
    return model.layerNames().indexOf(layer) == 0 && model.layer(layer).conv();
  }

  /** One bound per filter of the first conv layer, from its {@code <layer>_kernel} and {@code _bias}. */
  public static double[] of(VisualModel model, String layer) {
    if (!applies(model, layer)) {
      throw new IllegalArgumentException("layer '" + layer + "' does not read the model input directly");
    }
    PixelSpace space = model.pixels();
    float[] gray = new float[model.preprocessing().floatsPerImage()];
    String kernel = layer + "_kernel";
    String bias = layer + "_bias";
    Map<String, VisualModel.Activation> v = model.activations(gray, 1, List.of(kernel, bias));
    long[] shape = v.get(kernel).shape();  // [kh, kw, in, out]
    float[] w = v.get(kernel).values();
    float[] b = v.get(bias).values();
    int in = Math.toIntExact(shape[2]);
    int out = Math.toIntExact(shape[3]);
    double[] bound = new double[out];
    for (int f = 0; f < out; f++) {
      double s = b[f];
      for (int j = f, i = 0; j < w.length; j += out, i++) {
        int c = i % in;
        s += Math.max(w[j] * space.low()[c], w[j] * space.high()[c]);
      }
      bound[f] = Math.max(0, s);
    }
    return bound;
  }

  /**
   * Per filter, the largest mean output found over cyclic tiles of up to {@code maxPeriod} x
   * {@code maxPeriod} extreme pixels, {@code restarts} random starts per tile size, each improved by
   * flipping single values while that helps.
   */
  public static double[] bestTiling(VisualModel model, String layer, int maxPeriod, int restarts, long seed) {
    if (!applies(model, layer)) {
      throw new IllegalArgumentException("layer '" + layer + "' does not read the model input directly");
    }
    PixelSpace space = model.pixels();
    String kernel = layer + "_kernel";
    String bias = layer + "_bias";
    Map<String, VisualModel.Activation> v = model.activations(new float[model.preprocessing().floatsPerImage()], 1,
        List.of(kernel, bias));
    long[] shape = v.get(kernel).shape();
    int kh = Math.toIntExact(shape[0]);
    int kw = Math.toIntExact(shape[1]);
    int in = Math.toIntExact(shape[2]);
    int out = Math.toIntExact(shape[3]);
    float[] w = v.get(kernel).values();
    float[] b = v.get(bias).values();
    java.util.Random random = new java.util.Random(seed);
    double[] best = new double[out];
    for (int f = 0; f < out; f++) {
      for (int p = 1; p <= maxPeriod; p++) {
        for (int q = 1; q <= maxPeriod; q++) {
          for (int r = 0; r < restarts; r++) {
            boolean[] high = new boolean[p * q * in];
            for (int i = 0; i < high.length; i++) {
              high[i] = random.nextBoolean();
            }
            double current = tileMean(w, b[f], f, out, kh, kw, in, space, high, p, q);
            for (boolean improved = true; improved; ) {
              improved = false;
              for (int i = 0; i < high.length; i++) {
                high[i] = !high[i];
                double m = tileMean(w, b[f], f, out, kh, kw, in, space, high, p, q);
                if (m > current + 1e-9) {
                  current = m;
                  improved = true;
                } else {
                  high[i] = !high[i];
                }
              }
            }
            best[f] = Math.max(best[f], current);
          }
        }
      }
    }
    return best;
  }

  private static double tileMean(float[] w, float bias, int f, int out, int kh, int kw, int in, PixelSpace space,
      boolean[] high, int p, int q) {
    double sum = 0;
    for (int y = 0; y < p; y++) {
      for (int x = 0; x < q; x++) {
        double s = bias;
        for (int dy = 0; dy < kh; dy++) {
          int ty = Math.floorMod(y + dy - kh / 2, p);
          for (int dx = 0; dx < kw; dx++) {
            int tx = Math.floorMod(x + dx - kw / 2, q);
            for (int c = 0; c < in; c++) {
              float value = high[(ty * q + tx) * in + c] ? space.high()[c] : space.low()[c];
              s += w[((dy * kw + dx) * in + c) * out + f] * value;
            }
          }
        }
        sum += Math.max(0, s);
      }
    }
    return sum / (p * q);
  }
}
