package io.convnet.nn;

import java.util.List;
import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Fully connected layer on a flat input, as Keras' {@code Dense(units, activation)}. */
public final class Dense implements Layer {
  private final String name;
  private final int units;
  private final Activation activation;
  private final boolean trainable;

  private Dense(String name, int units, Activation activation, boolean trainable) {
    if (units < 1) {
      throw new IllegalArgumentException("Dense needs units >= 1, got " + units);
    }
    this.name = name;
    this.units = units;
    this.activation = Objects.requireNonNull(activation);
    this.trainable = trainable;
  }

  public static Dense of(int units) {
    return new Dense(null, units, Activation.LINEAR, true);
  }

  public Dense activation(Activation a) {
    return new Dense(name, units, a, trainable);
  }

  public Dense trainable(boolean t) {
    return new Dense(name, units, activation, t);
  }

  public Dense name(String n) {
    return new Dense(n, units, activation, trainable);
  }

  @Override
  public Layer withName(String n) {
    return name(n);
  }

  @Override
  public String defaultNameStem() {
    return "dense";
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String type() {
    return "Dense";
  }

  @Override
  public boolean trainable() {
    return trainable;
  }

  public int units() {
    return units;
  }

  public Activation activation() {
    return activation;
  }

  @Override
  public int[] outputShape(int[] in) {
    Shapes.requireRank(this, in, 1);
    return new int[] {units};
  }

  @Override
  public List<WeightSpec> weights(int[] in) {
    return List.of(
        new WeightSpec(name + "_kernel", name, WeightSpec.Kind.KERNEL, new int[] {in[0], units}, in[0], units),
        new WeightSpec(name + "_bias", name, WeightSpec.Kind.BIAS, new int[] {units}, 0, 0));
  }

  @Override
  public Operand<TFloat32> build(LayerContext ctx, Operand<TFloat32> input, int[] in) {
    Ops tf = ctx.tf();
    List<WeightSpec> specs = weights(in);
    var kernel = ctx.variable(specs.get(0));
    var bias = ctx.variable(specs.get(1));
    Operand<TFloat32> preact = tf.nn.biasAdd(tf.linalg.matMul(input, kernel), bias);
    ctx.preActivation(name, preact);
    return Activations.apply(tf, activation, preact);
  }
}
