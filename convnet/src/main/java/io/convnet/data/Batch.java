package io.convnet.data;

/**
 * A batch of preprocessed images and their class indices.
 *
 * @param pixels NHWC, {@code size * height * width * 3} floats, already preprocessed
 * @param labels class index of each image, {@code size} entries
 */
public record Batch(float[] pixels, int[] labels, int size, int height, int width) {
  public static final int CHANNELS = 3;
}
