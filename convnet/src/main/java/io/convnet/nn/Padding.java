package io.convnet.nn;

/** Convolution and pooling padding, as in Keras. */
public enum Padding {
  SAME, VALID;

  /** Output length of one spatial dimension, TensorFlow's formula. */
  int outputLength(int input, int window, int stride) {
    return this == SAME ? ceilDiv(input, stride) : ceilDiv(input - window + 1, stride);
  }

  String tfName() {
    return name();
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }
}
