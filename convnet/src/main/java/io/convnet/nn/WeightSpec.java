package io.convnet.nn;

/**
 * One variable of a layer: its flat graph name ({@code <layer>_kernel}, {@code <layer>_bias}) and shape.
 * Kernels are laid out as Keras/TensorFlow store them: conv {@code [kh, kw, in, out]}, dense {@code [in, out]}.
 */
public record WeightSpec(String variableName, String layer, Kind kind, int[] shape, int fanIn, int fanOut) {

  public enum Kind { KERNEL, BIAS }

  public long size() {
    long n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }
}
