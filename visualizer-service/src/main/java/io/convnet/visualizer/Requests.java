package io.convnet.visualizer;

import io.convnet.image.RgbImage;
import io.convnet.proto.Image;
import io.convnet.proto.Matrix;
import io.convnet.serving.image.RequestImages;
import io.convnet.viz.AscentOptions;
import io.convnet.viz.Matrices;

/** Turns request messages into the library's arguments; problems become INVALID_ARGUMENT. */
final class Requests {
  private Requests() {}

  /** Unset fields keep {@link AscentOptions#DEFAULTS}; the record checks the bounds. */
  static AscentOptions ascent(io.convnet.proto.AscentOptions o) {
    AscentOptions d = AscentOptions.DEFAULTS;
    return new AscentOptions(
        o.hasSteps() ? o.getSteps() : d.steps(),
        o.hasStepSize() ? o.getStepSize() : d.stepSize(),
        o.hasJitter() ? o.getJitter() : d.jitter(),
        o.hasL2Decay() ? o.getL2Decay() : d.l2Decay(),
        o.hasBlurEvery() ? o.getBlurEvery() : d.blurEvery(),
        o.hasBlurSigma() ? o.getBlurSigma() : d.blurSigma(),
        o.hasTotalVariation() ? o.getTotalVariation() : d.totalVariation(),
        o.hasNoise() ? o.getNoise() : d.noise(),
        o.hasSeed() ? o.getSeed() : d.seed());
  }

  static double[][] matrix(Matrix m, String what) {
    if (m.getRows() > Matrices.MAX_SIDE || m.getCols() > Matrices.MAX_SIDE) {
      throw Failures.invalid("the " + what + " is " + m.getRows() + "x" + m.getCols() + "; at most "
          + Matrices.MAX_SIDE + " a side");
    }
    return Matrices.of(m.getRows(), m.getCols(), m.getValuesList().stream().mapToDouble(Double::doubleValue).toArray(),
        what);
  }

  /**
   * The request's image: inline bytes, a reference under the data root (which no symbolic link leaves) or
   * an upload the gateway staged, decoded for use at {@code width x height} as training decodes it (0, 0:
   * at full size).
   */
  static RgbImage image(Image image, RequestImages images, int width, int height) {
    if (image.getSourceCase() == Image.SourceCase.SOURCE_NOT_SET || image.hasData() && image.getData().isEmpty()) {
      throw Failures.invalid("send an image (JPEG or PNG) as the request body");
    }
    String name = image.getName().isEmpty() ? image.getReference() : image.getName();
    return images.load(image.hasData() ? image.getData().toByteArray() : null, image.getReference(), image.getUpload(),
        name.isEmpty() ? "the image" : "the image '" + name + "'", width, height);
  }
}
