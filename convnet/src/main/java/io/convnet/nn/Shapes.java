package io.convnet.nn;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Helpers for shapes without the batch dimension. */
public final class Shapes {
  private Shapes() {}

  public static long size(int[] shape) {
    long n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }

  /** Keras' way: {@code (None, 150, 150, 32)}. */
  public static String format(int[] shape) {
    return "(None, " + Arrays.stream(shape).mapToObj(Integer::toString).collect(Collectors.joining(", ")) + ")";
  }

  static void requireRank(Layer layer, int[] in, int rank) {
    if (in.length != rank) {
      throw new IllegalArgumentException("layer " + layer.name() + " (" + layer.type() + ") needs an input of rank "
          + rank + " (without batch), got " + format(in) + (rank == 1 ? "; add a Flatten first" : ""));
    }
  }
}
