package io.convnet.data;

/**
 * A batch of preprocessed images and their class indices.
 *
 * @param pixels NHWC, {@code size * height * width * channels} floats, already preprocessed (the channels are
 *     the model input's: 3, or 1 for a gray model; a transfer head's feature maps have more)
 * @param labels class index of each image, {@code size} entries
 */
public record Batch(float[] pixels, int[] labels, int size, int height, int width) {
  /** Channels of a colour image. */
  public static final int CHANNELS = 3;
}
