package io.convnet.nn;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** Max pooling, as Keras' {@code MaxPooling2D(pool_size)}: strides default to the pool size, valid padding. */
public final class MaxPooling2D implements Layer {
  private final String name;
  private final int pool;
  private final int stride;
  private final Padding padding;

  private MaxPooling2D(String name, int pool, int stride, Padding padding) {
    if (pool < 1 || stride < 1) {
      throw new IllegalArgumentException("MaxPooling2D needs pool size and stride >= 1, got " + pool + ", " + stride);
    }
    this.name = name;
    this.pool = pool;
    this.stride = stride;
    this.padding = padding;
  }

  public static MaxPooling2D of(int poolSize) {
    return new MaxPooling2D(null, poolSize, poolSize, Padding.VALID);
  }

  public MaxPooling2D strides(int s) {
    return new MaxPooling2D(name, pool, s, padding);
  }

  public MaxPooling2D padding(Padding p) {
    return new MaxPooling2D(name, pool, stride, p);
  }

  public MaxPooling2D name(String n) {
    return new MaxPooling2D(n, pool, stride, padding);
  }

  @Override
  public Layer withName(String n) {
    return name(n);
  }

  @Override
  public String defaultNameStem() {
    return "max_pooling2d";
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String type() {
    return "MaxPooling2D";
  }

  @Override
  public int[] outputShape(int[] in) {
    Shapes.requireRank(this, in, 3);
    int h = padding.outputLength(in[0], pool, stride);
    int w = padding.outputLength(in[1], pool, stride);
    if (h < 1 || w < 1) {
      throw new IllegalArgumentException("layer " + name + ": input " + Shapes.format(in)
          + " is smaller than its " + pool + "x" + pool + " pool");
    }
    return new int[] {h, w, in[2]};
  }

  @Override
  public Operand<TFloat32> build(LayerContext ctx, Operand<TFloat32> input, int[] in) {
    var tf = ctx.tf();
    return tf.nn.maxPool(input, tf.constant(new int[] {1, pool, pool, 1}), tf.constant(new int[] {1, stride, stride, 1}),
        padding.tfName());
  }
}
