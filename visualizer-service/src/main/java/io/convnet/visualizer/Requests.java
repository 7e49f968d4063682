package io.convnet.visualizer;

import io.convnet.image.ImageDecoder;
import io.convnet.image.RgbImage;
import io.convnet.proto.Image;
import io.convnet.proto.Matrix;
import io.convnet.viz.AscentOptions;
import io.convnet.viz.Matrices;
import java.nio.file.Files;
import java.nio.file.Path;

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

  /** The request's image: inline bytes, or a reference under the data root. */
  static RgbImage image(Image image, Path dataRoot) {
    if (image.hasData()) {
      if (image.getData().isEmpty()) {
        throw Failures.invalid("send an image (JPEG or PNG) as the request body");
      }
      String name = image.getName().isEmpty() ? "the uploaded image" : image.getName();
      return ImageDecoder.standard().decode(image.getData().toByteArray(), name);
    }
    if (image.hasReference()) {
      Path root = dataRoot.toAbsolutePath().normalize();
      Path file = root.resolve(image.getReference()).normalize();
      if (!file.startsWith(root)) {
        throw Failures.invalid("image reference '" + image.getReference() + "' leaves the data root");
      }
      if (!Files.isRegularFile(file)) {
        throw Failures.invalid("image reference '" + image.getReference() + "' is not a file under the data root");
      }
      return ImageDecoder.standard().decode(file);
    }
    throw Failures.invalid("send an image (JPEG or PNG) as the request body");
  }
}
