package io.convnet.viz;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Gradient ascent in (preprocessed) input space for a batch of images at once, each image with its own
 * objective: per step jitter (cyclic shift), one batched forward+backward pass, the gradient divided by
 * its RMS per image, a total-variation term, L2 decay towards gray, a Gaussian blur every few steps, and
 * clipping to valid pixels.
 *
 * <p>The last {@value #POLISH} of the steps polish the image the regularizers have shaped: no jitter,
 * blur, total variation or decay, and a step size falling linearly to zero. The regularizers pull
 * against the objective to the end otherwise, and the reported activation (measured without jitter)
 * stays well below what the pattern can reach; the short polish sharpens the pattern without adding
 * new structure.
 */
final class GradientAscent {
  /** Fraction of the steps (the last ones) without regularizers. */
  static final double POLISH = 0.2;

  private GradientAscent() {}

  /** What is maximized: tensors for {@link VisualModel#gradient}, their weights, and each image's score. */
  interface Target {
    List<String> tensors();

    /**
     * Weights for step {@code step} of {@code steps}, given each image's score after the last one (NaN
     * before the first; the final scoring pass asks with {@code step == steps}).
     */
    List<float[]> weights(int step, int steps, float[] lastScores);

    /** Each image's score from the tensors' channel means. */
    float[] scores(List<float[]> means);
  }

  /** The images (preprocessed, interleaved HWC) and their scores without jitter. */
  record Outcome(float[] images, float[] scores, List<float[]> means) {}

  /**
   * @param imageSeeds one per image (e.g. its filter index): its start noise depends on this and the
   *     options' seed only, so an image comes out the same whatever batch it ascends in (up to float
   *     rounding); the jitter sequence depends on the options' seed only
   */
  static Outcome run(VisualModel model, Target target, long[] imageSeeds, AscentOptions o, AscentProgress progress,
      int doneBefore, int total) {
    int n = imageSeeds.length;
    int h = model.height();
    int w = model.width();
    PixelSpace space = model.pixels();
    int channels = space.channels();
    int plane = h * w * channels;
    Random random = new Random(o.seed());
    float[] x = new float[n * plane];
    for (int i = 0; i < n; i++) {
      Random start = new Random(o.seed() * 1_000_003L + imageSeeds[i]);
      for (int j = i * plane; j < (i + 1) * plane; j++) {
        int c = j % channels;
        x[j] = space.gray()[c] + (float) ((start.nextDouble() * 2 - 1) * o.noise() * space.range(c));
      }
    }
    space.clip(x);
    float[] shifted = new float[x.length];
    float[] direction = new float[x.length];
    float[] scores = new float[n];
    Arrays.fill(scores, Float.NaN);
    List<String> tensors = target.tensors();
    int shaping = o.steps() - (int) Math.round(o.steps() * POLISH);
    for (int step = 0; step < o.steps(); step++) {
      if (Thread.currentThread().isInterrupted()) {
        throw new java.util.concurrent.CancellationException("gradient ascent interrupted at step " + step);
      }
      boolean polish = step >= shaping;
      int jitter = polish ? 0 : o.jitter();
      int dy = jitter == 0 ? 0 : random.nextInt(2 * jitter + 1) - jitter;
      int dx = jitter == 0 ? 0 : random.nextInt(2 * jitter + 1) - jitter;
      ImageOps.roll(x, shifted, n, h, w, channels, dy, dx);
      VisualModel.GradientResult r = model.gradient(tensors, shifted, n, target.weights(step, o.steps(), scores));
      scores = target.scores(r.means());
      ImageOps.roll(r.inputGradient(), direction, n, h, w, channels, -dy, -dx);
      for (int i = 0; i < n; i++) {
        double rms = ImageOps.rms(direction, i, plane);
        float scale = rms > 1e-12 ? (float) (1 / rms) : 0f;
        for (int j = i * plane, end = j + plane; j < end; j++) {
          direction[j] *= scale;
        }
      }
      if (o.totalVariation() > 0 && !polish) {
        ImageOps.addTotalVariationGradient(x, direction, n, h, w, space, o.totalVariation());
      }
      float keep = polish ? 1f : (float) (1 - o.l2Decay());
      double size = polish ? o.stepSize() * (o.steps() - step) / (o.steps() - shaping + 1) : o.stepSize();
      for (int j = 0; j < x.length; j++) {
        int c = j % channels;
        float moved = x[j] + (float) (size * space.range(c)) * direction[j];
        x[j] = space.gray()[c] + (moved - space.gray()[c]) * keep;
      }
      if (o.blurEvery() > 0 && !polish && (step + 1) % o.blurEvery() == 0) {
        ImageOps.gaussianBlur(x, n, h, w, channels, o.blurSigma());
      }
      space.clip(x);
      progress.step(doneBefore + step + 1, total);
    }
    VisualModel.GradientResult last = model.gradient(tensors, x, n, target.weights(o.steps(), o.steps(), scores));
    return new Outcome(x, target.scores(last.means()), last.means());
  }
}
