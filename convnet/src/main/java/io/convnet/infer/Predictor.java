package io.convnet.infer;

import io.convnet.bundle.Manifest;
import io.convnet.bundle.ModelBundle;
import io.convnet.bundle.SharedBundle;
import io.convnet.bundle.Signatures;
import io.convnet.data.Preprocessing;
import io.convnet.image.ImageDecoder;
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
import org.tensorflow.ndarray.NdArray;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;

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

  /**
   * Whether the bundle decodes and preprocesses encoded images inside its graph ({@link
   * Signatures#SERVING_BYTES}); bundles written before that, or with a preprocessing the graph cannot do,
   * do not.
   */
  public boolean decodesInGraph() {
    return bundle.manifest().hasSignature(Signatures.SERVING_BYTES);
  }

  /**
   * Class probabilities of encoded images (JPEG, PNG), one row each: decoded and preprocessed in the graph
   * when the bundle can ({@link #decodesInGraph()}), else in Java ({@link ImageDecoder}, then the
   * manifest's {@link Preprocessing}, as training does). A bad image fails the call: in the graph with
   * TensorFlow's {@code TFInvalidArgumentException}, in Java with {@link io.convnet.image.ImageDecodeException}.
   */
  public float[][] predictEncoded(List<byte[]> images) {
    if (images.isEmpty()) {
      return new float[0][]; // TensorFlow's fused conv kernels fail on an empty batch ("input depth ... 3 vs 8")
    }
    if (!decodesInGraph()) {
      return predict(javaPreprocessed(images), images.size());
    }
    try (Result r = runEncoded(images, GraphNames.PROBABILITIES)) {
      return Tensors.rows((TFloat32) r.get(0));
    }
  }

  /**
   * The model input the graph computes from encoded images ({@link Signatures#PREPROCESS_BYTES}), row-major
   * {@code [n, h, w, c]}: what training's Java preprocessing should have produced.
   */
  public float[] inGraphInput(List<byte[]> images) {
    if (!decodesInGraph()) {
      throw new IllegalStateException("model '" + bundle.manifest().name() + "' v" + bundle.manifest().version()
          + " has no " + Signatures.PREPROCESS_BYTES + " signature: its images are preprocessed in Java");
    }
    try (Result r = runEncoded(images, GraphNames.INPUT)) {
      return Tensors.flat((TFloat32) r.get(0));
    }
  }

  private float[] javaPreprocessed(List<byte[]> images) {
    Preprocessing prep = bundle.manifest().inputPreprocessing();
    float[] nhwc = new float[images.size() * imageSize()];
    for (int i = 0; i < images.size(); i++) {
      prep.toFloats(prep.load(ImageDecoder.standard(), images.get(i), "image " + i), nhwc, i * imageSize());
    }
    return nhwc;
  }

  private Result runEncoded(List<byte[]> images, String fetch) {
    NdArray<byte[]> bytes = NdArrays.ofObjects(byte[].class, Shape.of(images.size()));
    for (int i = 0; i < images.size(); i++) {
      bytes.setObject(images.get(i), i);
    }
    return shared.use(() -> {
      try (TString t = TString.tensorOfBytes(bytes)) {
        return bundle.session().runner().feed(Signatures.IMAGE_BYTES, t).fetch(fetch).run();
      }
    });
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
