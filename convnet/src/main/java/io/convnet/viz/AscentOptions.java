package io.convnet.viz;

/**
 * Gradient ascent settings for filter and class visualization. Sizes are fractions of a channel's
 * pixel range ({@link PixelSpace}) or pixels, so the defaults suit any preprocessing.
 *
 * @param steps ascent steps
 * @param stepSize each step moves the image by this fraction of the pixel range (RMS over the image),
 *     along the gradient divided by its RMS
 * @param jitter each step shifts the image (cyclically) by up to this many pixels in x and y before the
 *     gradient, and shifts the gradient back: features must work wherever they land
 * @param l2Decay each step pulls the image towards gray by this fraction
 * @param blurEvery every this many steps a Gaussian blur smooths the image (0: never)
 * @param blurSigma that blur's standard deviation, pixels
 * @param totalVariation weight of a (squared) total-variation penalty's gradient, relative to the
 *     normalised objective gradient: smooths high frequencies
 * @param noise amplitude of the uniform noise on the gray start image, fraction of the range
 * @param seed for the start noise and the jitter
 */
public record AscentOptions(int steps, double stepSize, int jitter, double l2Decay, int blurEvery,
    double blurSigma, double totalVariation, double noise, long seed) {

  public static final int MAX_STEPS = 1000;

  public static final AscentOptions DEFAULTS = new AscentOptions(150, 0.05, 4, 0.001, 4, 0.6, 0.05, 0.04, 1);

  public AscentOptions {
    check(steps >= 1 && steps <= MAX_STEPS, "steps must be 1.." + MAX_STEPS + ", not " + steps);
    check(stepSize > 0 && stepSize <= 1, "stepSize must be in (0, 1] (a fraction of the pixel range), not " + stepSize);
    check(jitter >= 0 && jitter <= 64, "jitter must be 0..64 pixels, not " + jitter);
    check(l2Decay >= 0 && l2Decay <= 0.5, "l2Decay must be in [0, 0.5], not " + l2Decay);
    check(blurEvery >= 0 && blurEvery <= MAX_STEPS, "blurEvery must be 0.." + MAX_STEPS + " (0: never), not "
        + blurEvery);
    check(blurSigma >= 0 && blurSigma <= 10, "blurSigma must be in [0, 10] pixels, not " + blurSigma);
    check(totalVariation >= 0 && totalVariation <= 100, "totalVariation must be in [0, 100], not " + totalVariation);
    check(noise >= 0 && noise <= 0.5, "noise must be in [0, 0.5], not " + noise);
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  public AscentOptions withSteps(int v) {
    return new AscentOptions(v, stepSize, jitter, l2Decay, blurEvery, blurSigma, totalVariation, noise, seed);
  }

  public AscentOptions withStepSize(double v) {
    return new AscentOptions(steps, v, jitter, l2Decay, blurEvery, blurSigma, totalVariation, noise, seed);
  }

  public AscentOptions withJitter(int v) {
    return new AscentOptions(steps, stepSize, v, l2Decay, blurEvery, blurSigma, totalVariation, noise, seed);
  }

  public AscentOptions withL2Decay(double v) {
    return new AscentOptions(steps, stepSize, jitter, v, blurEvery, blurSigma, totalVariation, noise, seed);
  }

  public AscentOptions withBlur(int every, double sigma) {
    return new AscentOptions(steps, stepSize, jitter, l2Decay, every, sigma, totalVariation, noise, seed);
  }

  public AscentOptions withTotalVariation(double v) {
    return new AscentOptions(steps, stepSize, jitter, l2Decay, blurEvery, blurSigma, v, noise, seed);
  }

  public AscentOptions withNoise(double v) {
    return new AscentOptions(steps, stepSize, jitter, l2Decay, blurEvery, blurSigma, totalVariation, v, seed);
  }

  public AscentOptions withSeed(long v) {
    return new AscentOptions(steps, stepSize, jitter, l2Decay, blurEvery, blurSigma, totalVariation, noise, v);
  }
}
