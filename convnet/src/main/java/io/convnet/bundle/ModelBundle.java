package io.convnet.bundle;

import io.convnet.nn.TensorFlowThreads;
import io.convnet.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.tensorflow.Graph;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;

/**
 * A loaded bundle: manifest plus the TensorFlow graph and session, without the Java that built it.
 * The graph may be extended (e.g. {@code graph().addGradients(...)} for saliency and activation
 * maximization: verified to work on a loaded bundle). The session may run from several threads.
 */
public final class ModelBundle implements AutoCloseable {
  private final Path dir;
  private final Manifest manifest;
  private final SavedModelBundle savedModel;

  private ModelBundle(Path dir, Manifest manifest, SavedModelBundle savedModel) {
    this.dir = dir;
    this.manifest = manifest;
    this.savedModel = savedModel;
  }

  public static ModelBundle load(Path dir) {
    Path manifestFile = dir.resolve(BundleWriter.MANIFEST);
    if (!Files.isRegularFile(manifestFile)) {
      throw new IllegalArgumentException("not a model bundle (no " + BundleWriter.MANIFEST + "): " + dir);
    }
    Manifest manifest = Json.read(manifestFile, Manifest.class);
    if (manifest.formatVersion() > Manifest.FORMAT_VERSION) {
      throw new IllegalArgumentException("bundle " + dir + " has manifest format " + manifest.formatVersion()
          + "; this reader knows up to " + Manifest.FORMAT_VERSION);
    }
    SavedModelBundle sm = SavedModelBundle.loader(dir.toString()).withTags(SavedModelBundle.DEFAULT_TAG)
        .withConfigProto(TensorFlowThreads.process().configProto()).load();
    return new ModelBundle(dir, manifest, sm);
  }

  public Path dir() {
    return dir;
  }

  public Manifest manifest() {
    return manifest;
  }

  public Graph graph() {
    return savedModel.graph();
  }

  public Session session() {
    return savedModel.session();
  }

  public SavedModelBundle savedModel() {
    return savedModel;
  }

  @Override
  public void close() {
    savedModel.close();
  }
}
