package io.convnet.nn;

import java.util.Arrays;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras' default initialisers, written from core ops (framework 1.0.0's glorot draws only non-negative
 * values): kernels glorot-uniform U(-l, l), l = sqrt(6 / (fanIn + fanOut)); biases zero. The draw is a
 * stateless random op seeded by (model seed, variable index), so a seed always gives the same weights.
 */
public final class Initializers {
  private Initializers() {}

  public static float glorotLimit(int fanIn, int fanOut) {
    return (float) Math.sqrt(6.0 / (fanIn + fanOut));
  }

  static Operand<TFloat32> initialValue(Ops tf, WeightSpec spec, long seed, int index) {
    Operand<org.tensorflow.types.TInt64> shape = tf.constant(Arrays.stream(spec.shape()).asLongStream().toArray());
    if (spec.kind() == WeightSpec.Kind.BIAS) {
      return tf.zeros(shape, TFloat32.class);
    }
    float limit = glorotLimit(spec.fanIn(), spec.fanOut());
    Operand<TFloat32> u = tf.random.statelessRandomUniform(shape, tf.constant(new long[] {seed, index}),
        TFloat32.class);
    return tf.math.mul(tf.math.sub(tf.math.mul(u, tf.constant(2f)), tf.constant(1f)), tf.constant(limit));
  }
}
