package io.convnet.nn;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * A declarative layer: it knows its shapes and weights, and adds its ops to a graph when a
 * {@link Sequential} is built. Shapes exclude the batch dimension.
 */
public interface Layer {

  /** Keras layer name ({@code conv_1}); null until set or assigned by {@link Sequential}. */
  String name();

  /** Keras class name, as {@code summary()} prints it ({@code Conv2D}). */
  String type();

  int[] outputShape(int[] inputShape);

  default List<WeightSpec> weights(int[] inputShape) {
    return List.of();
  }

  default long params(int[] inputShape) {
    return weights(inputShape).stream().mapToLong(WeightSpec::size).sum();
  }

  /** Whether training updates this layer's weights (false for a frozen base). */
  default boolean trainable() {
    return true;
  }

  /** Convolution layers: the ones feature-map and Grad-CAM tools look at. */
  default boolean conv() {
    return false;
  }

  /** Adds this layer's ops; the returned operand is the layer's output (before the identity naming it). */
  Operand<TFloat32> build(LayerContext ctx, Operand<TFloat32> input, int[] inputShape);

  /** A copy of this layer under another name (the builder assigns Keras default names). */
  Layer withName(String name);

  /** Keras' default name stem, e.g. {@code conv2d} gives {@code conv2d}, {@code conv2d_1}, ... */
  String defaultNameStem();
}
