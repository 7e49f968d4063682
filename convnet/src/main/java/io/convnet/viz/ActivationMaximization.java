package io.convnet.viz;

import io.convnet.image.RgbImage;
import io.convnet.nn.GraphNames;
import java.util.ArrayList;
import java.util.List;

/**
 * What each filter looks for: gradient ascent on the mean activation of filter k of a conv layer,
 * starting from gray with slight noise (see {@link AscentOptions} for the regularizers). All filters of
 * one layer ascend together, one image each, in one batched pass per step.
 *
 * <p>Where a filter's ReLU output is zero its gradient is zero, so a region that starts inactive (for
 * a filter whose response to gray is negative, that is all but the zero-padded border) would stay gray.
 * During the first half of the steps the objective therefore adds {@value #LEAK} x the mean
 * pre-activation (a leaky gradient through the ReLU, like Lucid's redirected ReLU); while an image's
 * output is zero everywhere it climbs the pre-activation alone. The second half climbs the output
 * only: the activation that is reported and compared with natural images.
 */
public final class ActivationMaximization {
  /** Most filters of one layer in one call. */
  public static final int MAX_FILTERS = 64;
  /** Weight of the pre-activation mean during the first half of the steps. */
  static final float LEAK = 0.25f;

  private ActivationMaximization() {}

  /**
   * One visualized filter.
   *
   * @param reached mean activation (layer output, after its activation) of the filter on {@code image}
   * @param preactivation whether the image was still dead (zero output) at the end, i.e. only the
   *     pre-activation could be climbed
   */
  public record FilterImage(String layer, int filter, RgbImage image, double reached, boolean preactivation) {}

  /** Checks a layer and filter indices, with messages naming what is valid. */
  public static void check(VisualModel model, String layer, int[] filters) {
    model.convLayer(layer);
    int c = model.channels(layer);
    if (filters.length == 0 || filters.length > MAX_FILTERS) {
      throw new IllegalArgumentException("give 1.." + MAX_FILTERS + " filters per layer, not " + filters.length);
    }
    for (int f : filters) {
      if (f < 0 || f >= c) {
        throw new IllegalArgumentException("filter " + f + " is out of range: layer '" + layer + "' has " + c
            + " filters (0.." + (c - 1) + ")");
      }
    }
  }

  /** All filters in one batch. */
  public static List<FilterImage> filters(VisualModel model, String layer, int[] filters, AscentOptions options,
      AscentProgress progress) {
    return filters(model, layer, filters, options, filters.length, progress, 0, steps(filters.length,
        filters.length, options));
  }

  /** Ascent steps (batched passes) of {@code filters} filters in batches of {@code batch}. */
  public static int steps(int filters, int batch, AscentOptions options) {
    return (filters + batch - 1) / batch * options.steps();
  }

  /**
   * Filters in batches of at most {@code batch} images per pass (on a CPU small batches can be faster
   * per image; on a GPU large ones are), reporting progress as {@code doneBefore + steps so far} of
   * {@code total}. An image does not depend on the batching (up to float rounding).
   */
  public static List<FilterImage> filters(VisualModel model, String layer, int[] filters, AscentOptions options,
      int batch, AscentProgress progress, int doneBefore, int total) {
    check(model, layer, filters);
    if (batch < 1) {
      throw new IllegalArgumentException("batch must be positive, not " + batch);
    }
    List<FilterImage> out = new ArrayList<>();
    int done = doneBefore;
    for (int from = 0; from < filters.length; from += batch) {
      int[] chunk = java.util.Arrays.copyOfRange(filters, from, Math.min(filters.length, from + batch));
      out.addAll(ascend(model, layer, chunk, options, progress, done, total));
      done += options.steps();
    }
    return out;
  }

  private static List<FilterImage> ascend(VisualModel model, String layer, int[] filters, AscentOptions options,
      AscentProgress progress, int doneBefore, int total) {
    int channels = model.channels(layer);
    boolean hasPreact = model.hasPreactivation(layer);
    int n = filters.length;
    GradientAscent.Target target = new GradientAscent.Target() {
      @Override
      public List<String> tensors() {
        return hasPreact ? List.of(layer, GraphNames.preActivation(layer)) : List.of(layer);
      }

      @Override
      public List<float[]> weights(int step, int steps, float[] last) {
        float[] out = new float[n * channels];
        float[] pre = new float[n * channels];
        boolean early = step < steps / 2;
        for (int i = 0; i < n; i++) {
          int k = i * channels + filters[i];
          boolean dead = hasPreact && !(last[i] > 0) && step < steps;
          if (dead) {
            pre[k] = 1f;
          } else {
            out[k] = 1f;
            pre[k] = hasPreact && early ? LEAK : 0f;
          }
        }
        return hasPreact ? List.of(out, pre) : List.of(out);
      }

      @Override
      public float[] scores(List<float[]> means) {
        float[] s = new float[n];
        for (int i = 0; i < n; i++) {
          s[i] = means.get(0)[i * channels + filters[i]];
        }
        return s;
      }
    };
    long[] seeds = java.util.Arrays.stream(filters).asLongStream().toArray();
    GradientAscent.Outcome outcome = GradientAscent.run(model, target, seeds, options, progress, doneBefore, total);
    List<FilterImage> out = new ArrayList<>();
    int plane = model.preprocessing().floatsPerImage();
    for (int i = 0; i < n; i++) {
      RgbImage image = model.preprocessing().toImage(outcome.images(), i * plane);
      out.add(new FilterImage(layer, filters[i], image, outcome.scores()[i], !(outcome.scores()[i] > 0)));
    }
    return out;
  }
}
