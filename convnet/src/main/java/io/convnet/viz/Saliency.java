package io.convnet.viz;

import io.convnet.image.RgbImage;
import io.convnet.nn.GraphNames;
import java.util.List;
import java.util.Random;

/**
 * Which pixels the class score is most sensitive to: the gradient of the class logit (before the
 * sigmoid or softmax) with respect to the input, its largest absolute value over the colour channels
 * (Simonyan et al. 2013). SmoothGrad (Smilkov et al. 2017) averages the gradient over noisy copies of
 * the input (noise sigma = {@code noise} x the input's value range) before taking that magnitude; the
 * copies run as batches.
 */
public final class Saliency {
  public static final int DEFAULT_SAMPLES = 32;
  public static final int MAX_SAMPLES = 256;
  public static final double DEFAULT_NOISE = 0.15;
  private static final int BATCH = 16;

  private Saliency() {}

  /** The class to explain: the given label, or the predicted class when {@code label} is null or empty. */
  static int resolveClass(VisualModel model, String label, float[] probabilities) {
    if (label != null && !label.isEmpty()) {
      return model.classIndex(label);
    }
    return io.convnet.nn.Tensors.argmax(probabilities);
  }

  public static HeatMap vanilla(VisualModel model, RgbImage image, String label) {
    return compute(model, image, label, false, 1, 0, 0);
  }

  public static HeatMap smoothGrad(VisualModel model, RgbImage image, String label, int samples, double noise,
      long seed) {
    return compute(model, image, label, true, samples, noise, seed);
  }

  private static HeatMap compute(VisualModel model, RgbImage image, String label, boolean smooth, int samples,
      double noise, long seed) {
    if (smooth && (samples < 1 || samples > MAX_SAMPLES)) {
      throw new IllegalArgumentException("samples must be 1.." + MAX_SAMPLES + ", not " + samples);
    }
    if (smooth && !(noise >= 0 && noise <= 1)) {
      throw new IllegalArgumentException("noise must be in [0, 1] (a fraction of the input's range), not " + noise);
    }
    RgbImage sized = model.preprocessing().resize(image);
    float[] x = model.preprocessing().apply(sized);
    float[] p = model.probabilities(x, 1)[0];
    int index = resolveClass(model, label, p);
    float[] w = model.classWeights(index);
    int plane = x.length;
    float[] sum = new float[plane];
    if (!smooth) {
      addGradients(model, x, 1, w, sum);
    } else {
      float lo = Float.POSITIVE_INFINITY;
      float hi = Float.NEGATIVE_INFINITY;
      for (float v : x) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      double sigma = noise * (hi - lo);
      Random random = new Random(seed);
      for (int done = 0; done < samples; done += BATCH) {
        int n = Math.min(BATCH, samples - done);
        float[] batch = new float[n * plane];
        for (int i = 0; i < n; i++) {
          for (int j = 0; j < plane; j++) {
            batch[i * plane + j] = x[j] + (float) (random.nextGaussian() * sigma);
          }
        }
        addGradients(model, batch, n, w, sum);
      }
    }
    int h = model.height();
    int wd = model.width();
    float[] magnitude = new float[h * wd];
    float rawMax = 0;
    int channels = model.preprocessing().channels();
    for (int i = 0; i < h * wd; i++) {
      float m = 0;
      for (int c = 0; c < channels; c++) {
        m = Math.max(m, Math.abs(sum[i * channels + c] / samples));
      }
      magnitude[i] = m;
      rawMax = Math.max(rawMax, m);
    }
    return new HeatMap(smooth ? "smoothgrad" : "saliency", model.labels().get(index), index, p[index], wd, h,
        HeatMap.normalise(magnitude, 0.99), rawMax, sized, p);
  }

  /** Adds the class-logit gradients of {@code n} images into {@code sum} (one image's worth of floats). */
  private static void addGradients(VisualModel model, float[] batch, int n, float[] classWeights, float[] sum) {
    float[] w = new float[n * classWeights.length];
    for (int i = 0; i < n; i++) {
      System.arraycopy(classWeights, 0, w, i * classWeights.length, classWeights.length);
    }
    float[] g = model.gradient(List.of(GraphNames.LOGITS), batch, n, List.of(w)).inputGradient();
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < sum.length; j++) {
        sum[j] += g[i * sum.length + j];
      }
    }
  }
}
