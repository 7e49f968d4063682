package io.convnet.infer;

import io.convnet.bundle.Manifest;
import io.convnet.bundle.ModelBundle;
import io.convnet.bundle.SharedBundle;
import io.convnet.nn.GraphNames;
import io.convnet.nn.Tensors;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;

/**
 * Thread-safe inference over a loaded bundle: many threads may predict at once (one TF session is
 * safe to share); {@link #close()} waits for calls in flight, later calls fail with IllegalStateException.
 */
public final class Predictor implements AutoCloseable {
  private final ModelBundle bundle;
  private final SharedBundle shared;

  public Predictor(ModelBundle bundle) {
    this.bundle = bundle;
    this.shared = new SharedBundle(bundle);
  }

  public static Predictor open(Path bundleDir) {
    return new Predictor(ModelBundle.load(bundleDir));
  }

  public Manifest manifest() {
    return bundle.manifest();
  }

  public ModelBundle bundle() {
    return bundle;
  }

  public List<String> labels() {
    return bundle.manifest().labels();
  }

  /** Floats per image ({@code height * width * channels}). */
  public int imageSize() {
    Manifest.Input in = bundle.manifest().input();
    return in.height() * in.width() * in.channels();
  }

  /**
   * Class probabilities of {@code n} preprocessed NHWC images, one row per image, one column per label
   * (a sigmoid model gives (1 - p, p)).
   */
  public float[][] predict(float[] nhwc, int n) {
    try (Result r = run(nhwc, n, GraphNames.PROBABILITIES)) {
      return Tensors.rows((TFloat32) r.get(0));
    }
  }

  /** The last layer's pre-activation, one row per image. */
  public float[][] logits(float[] nhwc, int n) {
    try (Result r = run(nhwc, n, GraphNames.LOGITS)) {
      return Tensors.rows((TFloat32) r.get(0));
    }
  }

  /**
   * Named layer outputs (or {@code <layer>_preact}) of {@code n} images, fetched in one run, each
   * flattened row-major with its shape (batch first).
   */
  public Map<String, Activation> activations(float[] nhwc, int n, String... names) {
    try (Result r = run(nhwc, n, names)) {
      Map<String, Activation> out = new LinkedHashMap<>();
      for (int i = 0; i < names.length; i++) {
        TFloat32 t = (TFloat32) r.get(i);
        out.put(names[i], new Activation(names[i], t.shape().asArray(), Tensors.flat(t)));
      }
      return out;
    }
  }

  /** One fetched tensor: its shape (batch first) and row-major values. */
  public record Activation(String name, long[] shape, float[] values) {
    @Override
    public String toString() {
      return name + Arrays.toString(shape);
    }
  }

  private Result run(float[] nhwc, int n, String... fetches) {
    Manifest.Input in = bundle.manifest().input();
    return shared.use(() -> {
      for (String f : fetches) {
        if (bundle.graph().operation(f) == null) {
          throw new IllegalArgumentException("model '" + bundle.manifest().name() + "' has no tensor '" + f
              + "'; layers: " + bundle.manifest().layers().stream().map(Manifest.LayerEntry::name).toList());
        }
      }
      try (Tensor x = Tensors.images(nhwc, n, in.height(), in.width(), in.channels())) {
        Session.Runner runner = bundle.session().runner().feed(GraphNames.INPUT, x);
        for (String f : fetches) {
          runner.fetch(f);
        }
        return runner.run();
      }
    });
  }

  @Override
  public void close() {
    shared.close();
  }
}
