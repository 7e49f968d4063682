package io.convnet.nn;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

final class Activations {
  private Activations() {}

  static Operand<TFloat32> apply(Ops tf, Activation activation, Operand<TFloat32> x) {
    return switch (activation) {
      case LINEAR -> x;
      case RELU -> tf.nn.relu(x);
      case SIGMOID -> tf.math.sigmoid(x);
      case SOFTMAX -> tf.nn.softmax(x);
    };
  }
}
