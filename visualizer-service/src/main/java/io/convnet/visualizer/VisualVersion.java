package io.convnet.visualizer;

import io.convnet.viz.NaturalMaxima;
import io.convnet.viz.VisualModel;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One model version loaded for visualization and, once asked for, its natural maxima. */
final class VisualVersion implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(VisualVersion.class);

  /**
   * Where natural maxima come from.
   *
   * @param cacheDir           computed maxima are kept under {@code <cacheDir>/<model>/<version>/}
   * @param dataRoot           where the manifest's training data set is looked for
   * @param validationOverride images to use instead of the manifest's validation set (null: none)
   * @param perClass           validation images per class (0: all)
   */
  record NaturalMaximaSource(Path cacheDir, Path dataRoot, Path validationOverride, int perClass) {
    Optional<Path> validationDir(VisualModel model) {
      if (validationOverride != null && java.nio.file.Files.isDirectory(validationOverride)) {
        return Optional.of(validationOverride);
      }
      return NaturalMaxima.validationDir(model.manifest(), dataRoot);
    }
  }

  private final String name;
  private final int version;
  private final VisualModel visual;
  private final NaturalMaximaSource source;
  private NaturalMaxima natural;
  private boolean naturalTried;

  VisualVersion(String name, int version, VisualModel visual, NaturalMaximaSource source) {
    this.name = name;
    this.version = version;
    this.visual = visual;
    this.source = source;
  }

  VisualModel visual() {
    return visual;
  }

  /** Natural maxima of this version (computed on first use, then cached); null when no images are known. */
  synchronized NaturalMaxima natural() {
    if (!naturalTried) {
      naturalTried = true;
      Optional<Path> dir = source.validationDir(visual);
      if (dir.isEmpty()) {
        LOG.warn("{} v{}: no validation images (manifest data {} under {}, no CONVNET_VIZ_VALIDATION_DIR): "
            + "filters are shown without natural maxima", name, version,
            visual.manifest().training() == null ? null : visual.manifest().training().get("data"), source.dataRoot());
      } else {
        natural = NaturalMaxima.loadOrCompute(visual, dir.get(), source.perClass(),
            source.cacheDir().resolve(name).resolve(Integer.toString(version)));
      }
    }
    return natural;
  }

  @Override
  public void close() {
    visual.close();
  }
}
