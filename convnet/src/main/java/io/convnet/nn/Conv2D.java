package io.convnet.nn;

import java.util.List;
import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** 2-D convolution with bias, NHWC, as Keras' {@code Conv2D(filters, kernel_size, ...)}. */
public final class Conv2D implements Layer {
  private final String name;
  private final int filters;
  private final int kernelHeight;
  private final int kernelWidth;
  private final int stride;
  private final Padding padding;
  private final Activation activation;
  private final boolean trainable;

  private Conv2D(String name, int filters, int kh, int kw, int stride, Padding padding, Activation activation,
      boolean trainable) {
    if (filters < 1 || kh < 1 || kw < 1 || stride < 1) {
      throw new IllegalArgumentException("Conv2D needs filters, kernel size and stride >= 1, got filters=" + filters
          + " kernel=" + kh + "x" + kw + " stride=" + stride);
    }
    this.name = name;
    this.filters = filters;
    this.kernelHeight = kh;
    this.kernelWidth = kw;
    this.stride = stride;
    this.padding = Objects.requireNonNull(padding);
    this.activation = Objects.requireNonNull(activation);
    this.trainable = trainable;
  }

  /** {@code Conv2D(filters, (k, k))}: stride 1, valid padding, linear activation (Keras' defaults). */
  public static Conv2D of(int filters, int kernelSize) {
    return new Conv2D(null, filters, kernelSize, kernelSize, 1, Padding.VALID, Activation.LINEAR, true);
  }

  public Conv2D activation(Activation a) {
    return new Conv2D(name, filters, kernelHeight, kernelWidth, stride, padding, a, trainable);
  }

  public Conv2D padding(Padding p) {
    return new Conv2D(name, filters, kernelHeight, kernelWidth, stride, p, activation, trainable);
  }

  public Conv2D strides(int s) {
    return new Conv2D(name, filters, kernelHeight, kernelWidth, s, padding, activation, trainable);
  }

  public Conv2D trainable(boolean t) {
    return new Conv2D(name, filters, kernelHeight, kernelWidth, stride, padding, activation, t);
  }

  public Conv2D name(String n) {
    return new Conv2D(n, filters, kernelHeight, kernelWidth, stride, padding, activation, trainable);
  }

  @Override
  public Layer withName(String n) {
    return name(n);
  }

  @Override
  public String defaultNameStem() {
    return "conv2d";
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String type() {
    return "Conv2D";
  }

  @Override
  public boolean conv() {
    return true;
  }

  @Override
  public boolean trainable() {
    return trainable;
  }

  public int filters() {
    return filters;
  }

  public Activation activation() {
    return activation;
  }

  @Override
  public int[] outputShape(int[] in) {
    Shapes.requireRank(this, in, 3);
    int h = padding.outputLength(in[0], kernelHeight, stride);
    int w = padding.outputLength(in[1], kernelWidth, stride);
    if (h < 1 || w < 1) {
      throw new IllegalArgumentException("layer " + name + ": input " + Shapes.format(in) + " is smaller than its "
          + kernelHeight + "x" + kernelWidth + " kernel");
    }
    return new int[] {h, w, filters};
  }

  @Override
  public List<WeightSpec> weights(int[] in) {
    int channels = in[2];
    int area = kernelHeight * kernelWidth;
    return List.of(
        new WeightSpec(name + "_kernel", name, WeightSpec.Kind.KERNEL,
            new int[] {kernelHeight, kernelWidth, channels, filters}, area * channels, area * filters),
        new WeightSpec(name + "_bias", name, WeightSpec.Kind.BIAS, new int[] {filters}, 0, 0));
  }

  @Override
  public Operand<TFloat32> build(LayerContext ctx, Operand<TFloat32> input, int[] in) {
    Ops tf = ctx.tf();
    List<WeightSpec> specs = weights(in);
    var kernel = ctx.variable(specs.get(0));
    var bias = ctx.variable(specs.get(1));
    Operand<TFloat32> conv = tf.nn.conv2d(input, kernel, List.of(1L, (long) stride, (long) stride, 1L),
        padding.tfName());
    Operand<TFloat32> preact = tf.nn.biasAdd(conv, bias);
    ctx.preActivation(name, preact);
    return Activations.apply(tf, activation, preact);
  }
}
