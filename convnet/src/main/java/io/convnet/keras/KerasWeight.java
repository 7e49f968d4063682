package io.convnet.keras;

import java.util.Arrays;

/**
 * One weight array of a Keras {@code .h5} file.
 *
 * @param layer the layer it belongs to (for a nested model's weights, the inner layer: {@code block1_conv1})
 * @param name its name in {@code weight_names} ({@code block1_conv1/kernel:0} or {@code block1_conv1_W_1:0})
 * @param path the dataset's path in the file ({@code block1_conv1/block1_conv1/kernel:0})
 * @param shape its dimensions (Keras/TensorFlow layout: conv kernels HWIO, dense kernels [in, out])
 */
public record KerasWeight(String layer, String name, String path, int[] shape) {

  public long size() {
    long n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }

  @Override
  public String toString() {
    return name + Arrays.toString(shape);
  }
}
