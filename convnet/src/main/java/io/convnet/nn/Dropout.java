package io.convnet.nn;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Inverted dropout, as Keras' {@code Dropout(rate)}: active only while the graph's training flag is 1.
 * TensorFlow core has no dropout op, so: {@code x * floor(u + keep) / keep}, with the mask behind
 * stopGradient and {@code keep = 1 - rate * training}; at inference keep = 1 and the mask is exactly 1.
 * The mask comes from a stateless random op seeded per step, so a resumed run draws the same masks.
 */
public final class Dropout implements Layer {
  private final String name;
  private final float rate;

  private Dropout(String name, float rate) {
    if (!(rate >= 0f && rate < 1f)) {
      throw new IllegalArgumentException("Dropout rate must be in [0, 1), got " + rate);
    }
    this.name = name;
    this.rate = rate;
  }

  public static Dropout of(double rate) {
    return new Dropout(null, (float) rate);
  }

  public Dropout name(String n) {
    return new Dropout(n, rate);
  }

  public float rate() {
    return rate;
  }

  @Override
  public Layer withName(String n) {
    return name(n);
  }

  @Override
  public String defaultNameStem() {
    return "dropout";
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String type() {
    return "Dropout";
  }

  @Override
  public int[] outputShape(int[] in) {
    return in.clone();
  }

  @Override
  public Operand<TFloat32> build(LayerContext ctx, Operand<TFloat32> input, int[] in) {
    Ops tf = ctx.tf();
    Operand<TFloat32> keep = tf.math.sub(tf.constant(1f), tf.math.mul(tf.constant(rate), ctx.trainingFlag()));
    // a distinct stream per layer: add the layer index to the step seed's second word
    Operand<TInt64> seed = tf.math.add(ctx.stepSeed(), tf.constant(new long[] {0L, 7919L * (ctx.layerIndex() + 1)}));
    Operand<TFloat32> uniform = tf.random.statelessRandomUniform(tf.shape(input), seed, TFloat32.class);
    Operand<TFloat32> mask = tf.stopGradient(tf.math.floor(tf.math.add(uniform, keep)));
    return tf.math.div(tf.math.mul(input, mask), keep);
  }
}
