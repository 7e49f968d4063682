package io.convnet.train;

import io.convnet.nn.ModelVariable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Update ops for the chosen variables, written from core ops (framework 1.0.0's RMSProp starts its
 * accumulator at 1 and barely trains). Slot variables are flat-named {@code <var>_<slot>}.
 */
final class Optimizers {
  static final float RHO = 0.9f;
  static final float EPSILON = 1e-7f;
  static final float BETA1 = 0.9f;
  static final float BETA2 = 0.999f;

  private Optimizers() {}

  /** @param lr the learning rate (a scalar the trainer feeds per epoch) */
  static List<Op> updates(Ops tf, OptimizerSpec spec, Operand<TFloat32> lr, List<ModelVariable> vars,
      List<Operand<TFloat32>> grads) {
    List<Op> ops = new ArrayList<>();
    switch (spec.kind()) {
      case RMSPROP -> {
        // Keras: a = rho * a + (1 - rho) * g^2; w -= lr * g / (sqrt(a) + eps)
        for (int i = 0; i < vars.size(); i++) {
          Operand<TFloat32> g = grads.get(i);
          Variable<TFloat32> acc = slot(tf, vars.get(i), "rms");
          Operand<TFloat32> newAcc = tf.assign(acc, tf.math.add(tf.math.mul(tf.constant(RHO), acc),
              tf.math.mul(tf.constant(1f - RHO), tf.math.mul(g, g))));
          Operand<TFloat32> step = tf.math.div(tf.math.mul(lr, g), tf.math.add(tf.math.sqrt(newAcc),
              tf.constant(EPSILON)));
          ops.add(tf.assignSub(vars.get(i).variable(), step));
        }
      }
      case ADAM -> {
        Variable<TFloat32> t = tf.withName("optimizer_iterations").variable(tf.constant(0f));
        Operand<TFloat32> tNext = tf.assignAdd(t, tf.constant(1f));
        Operand<TFloat32> b1Power = tf.math.pow(tf.constant(BETA1), tNext);
        Operand<TFloat32> b2Power = tf.math.pow(tf.constant(BETA2), tNext);
        for (int i = 0; i < vars.size(); i++) {
          ops.add(tf.train.applyAdam(vars.get(i).variable(), slot(tf, vars.get(i), "m"), slot(tf, vars.get(i), "v"),
              b1Power, b2Power, lr, tf.constant(BETA1), tf.constant(BETA2), tf.constant(EPSILON), grads.get(i)));
        }
      }
      case SGD -> {
        // Keras: v = m * v - lr * g; w += v  ==  accum = m * accum + g; w -= lr * accum (constant lr)
        for (int i = 0; i < vars.size(); i++) {
          ops.add(tf.train.applyMomentum(vars.get(i).variable(), slot(tf, vars.get(i), "momentum"), lr,
              grads.get(i), tf.constant((float) spec.momentum())));
        }
      }
      default -> throw new IllegalStateException(spec.kind().name());
    }
    return ops;
  }

  private static Variable<TFloat32> slot(Ops tf, ModelVariable var, String slot) {
    long[] shape = Arrays.stream(var.spec().shape()).asLongStream().toArray();
    return tf.withName(var.name() + "_" + slot).variable(tf.zeros(tf.constant(shape), TFloat32.class));
  }
}
