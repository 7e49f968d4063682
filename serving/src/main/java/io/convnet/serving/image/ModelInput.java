package io.convnet.serving.image;

import io.convnet.bundle.Manifest;
import io.convnet.data.Preprocessing;
import io.convnet.image.RgbImage;

/**
 * What a bundle's manifest says its input is: the image size and the preprocessing (rescale when the
 * manifest names none), turning a decoded image into the model's input floats.
 */
public final class ModelInput {
  private final Preprocessing preprocessing;

  private ModelInput(Preprocessing preprocessing) {
    this.preprocessing = preprocessing;
  }

  /**
   * The input {@code manifest} describes ({@link Manifest#inputPreprocessing}: RGB or, for MNIST digits,
   * one channel); IllegalArgumentException naming {@code bundle} when it describes none this runtime can feed.
   */
  public static ModelInput of(Manifest manifest, String bundle) {
    try {
      return new ModelInput(manifest.inputPreprocessing());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bundle " + bundle + ": " + e.getMessage(), e);
    }
  }

  public Preprocessing preprocessing() {
    return preprocessing;
  }

  public int width() {
    return preprocessing.width();
  }

  public int height() {
    return preprocessing.height();
  }

  /** Floats one image has as model input (NHWC). */
  public int floatsPerImage() {
    return preprocessing.floatsPerImage();
  }

  /** Resized and preprocessed: one image's model input. */
  public float[] floats(RgbImage image) {
    return preprocessing.apply(image);
  }
}
