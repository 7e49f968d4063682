package io.convnet.nn;

import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Copies between Java arrays and tensors; the caller closes what it gets. */
public final class Tensors {
  private Tensors() {}

  public static TFloat32 images(float[] nhwc, int n, int height, int width, int channels) {
    long expected = (long) n * height * width * channels;
    if (n < 1 || nhwc.length < expected) {
      throw new IllegalArgumentException("expected " + n + " images of " + height + "x" + width + "x" + channels
          + " (" + expected + " floats), got " + nhwc.length + " floats");
    }
    return TFloat32.tensorOf(Shape.of(n, height, width, channels), DataBuffers.of(nhwc, true, false)
        .narrow(expected));
  }

  public static TInt32 labels(int[] labels, int n) {
    return TInt32.tensorOf(Shape.of(n), DataBuffers.of(labels, true, false).narrow(n));
  }

  /** A rank-2 float tensor as rows. */
  public static float[][] rows(TFloat32 t) {
    int n = Math.toIntExact(t.shape().get(0));
    int k = Math.toIntExact(t.shape().get(1));
    float[] flat = new float[n * k];
    t.copyTo(DataBuffers.of(flat, false, false));
    float[][] out = new float[n][k];
    for (int i = 0; i < n; i++) {
      System.arraycopy(flat, i * k, out[i], 0, k);
    }
    return out;
  }

  /** Any float tensor, flattened row-major. */
  public static float[] flat(TFloat32 t) {
    float[] out = new float[Math.toIntExact(t.size())];
    t.copyTo(DataBuffers.of(out, false, false));
    return out;
  }

  /** Index of the largest value (the first on ties): the predicted class of a probability row. */
  public static int argmax(float[] p) {
    int best = 0;
    for (int i = 1; i < p.length; i++) {
      if (p[i] > p[best]) {
        best = i;
      }
    }
    return best;
  }

  public static float scalar(TFloat32 t) {
    return t.getFloat();
  }
}
