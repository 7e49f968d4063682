package io.convnet.train;

import io.convnet.nn.Activation;
import io.convnet.nn.OutputHead;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Mean cross-entropy from logits (core TF has no sigmoid cross-entropy op): binary for a sigmoid head,
 * categorical for softmax. Labels are class indices; with label smoothing {@code s} the targets move towards
 * uniform as Keras' {@code label_smoothing} moves them ({@code y (1 - s) + s / K}, {@code K} = 2 for a sigmoid).
 */
final class Losses {
  private Losses() {}

  static Operand<TFloat32> crossEntropy(Ops tf, OutputHead head, Operand<TFloat32> logits, Operand<TInt32> labels,
      double smoothing) {
    float s = (float) smoothing;
    if (head.activation() == Activation.SIGMOID) {
      // max(x, 0) - x * z + log(1 + exp(-|x|)), the numerically stable form
      Operand<TFloat32> x = tf.reshape(logits, tf.constant(new int[] {-1}));
      Operand<TFloat32> z = tf.dtypes.cast(labels, TFloat32.class);
      if (s > 0) {
        z = tf.math.add(tf.math.mul(z, tf.constant(1 - s)), tf.constant(s / 2));
      }
      Operand<TFloat32> perExample = tf.math.add(tf.math.sub(tf.nn.relu(x), tf.math.mul(x, z)),
          tf.math.log1p(tf.math.exp(tf.math.neg(tf.math.abs(x)))));
      return tf.math.mean(perExample, tf.constant(0));
    }
    float off = s / head.classes();
    Operand<TFloat32> oneHot = tf.oneHot(labels, tf.constant(head.classes()), tf.constant(1 - s + off),
        tf.constant(off));
    Operand<TFloat32> perExample = tf.math.neg(tf.reduceSum(tf.math.mul(oneHot, tf.nn.logSoftmax(logits)),
        tf.constant(1)));
    return tf.math.mean(perExample, tf.constant(0));
  }
}
