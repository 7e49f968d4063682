package io.convnet.viz;

import io.convnet.data.Preprocessing;

/**
 * Where valid model inputs live: per input channel (3, or 1 for a gray model), the preprocessed values of
 * pixel 0, 128 and 255. Ascent works in this (preprocessed) space and stays inside it; sizes (steps, noise)
 * are given as fractions of the channel's range, so the same defaults suit RESCALE and MNIST (range 1) and
 * CAFFE (range 255).
 */
public record PixelSpace(float[] low, float[] gray, float[] high) {

  public static PixelSpace of(Preprocessing p) {
    return new PixelSpace(model(p, 0f), model(p, 128f), model(p, 255f));
  }

  private static float[] model(Preprocessing p, float pixel) {
    float[] out = new float[p.channels()];
    p.scale(new float[] {pixel, pixel, pixel}, 0, out, 0, 1);
    return out;
  }

  /** Channels of the model input. */
  public int channels() {
    return low.length;
  }

  /** Range of channel {@code c} (high minus low). */
  public float range(int c) {
    return high[c] - low[c];
  }

  /** Clips interleaved HWC values of {@code images} images into the valid range. */
  public void clip(float[] x) {
    int channels = channels();
    for (int i = 0; i < x.length; i++) {
      int c = i % channels;
      if (x[i] < low[c]) {
        x[i] = low[c];
      } else if (x[i] > high[c]) {
        x[i] = high[c];
      }
    }
  }
}
