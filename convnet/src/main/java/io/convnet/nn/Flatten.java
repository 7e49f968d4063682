package io.convnet.nn;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** Flattens everything but the batch dimension (row-major NHWC, as Keras with channels_last). */
public final class Flatten implements Layer {
  private final String name;

  private Flatten(String name) {
    this.name = name;
  }

  public static Flatten of() {
    return new Flatten(null);
  }

  public Flatten name(String n) {
    return new Flatten(n);
  }

  @Override
  public Layer withName(String n) {
    return name(n);
  }

  @Override
  public String defaultNameStem() {
    return "flatten";
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String type() {
    return "Flatten";
  }

  @Override
  public int[] outputShape(int[] in) {
    return new int[] {Math.toIntExact(Shapes.size(in))};
  }

  @Override
  public Operand<TFloat32> build(LayerContext ctx, Operand<TFloat32> input, int[] in) {
    var tf = ctx.tf();
    return tf.reshape(input, tf.constant(new int[] {-1, Math.toIntExact(Shapes.size(in))}));
  }
}
