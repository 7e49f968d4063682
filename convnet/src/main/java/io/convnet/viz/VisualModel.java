package io.convnet.viz;

import io.convnet.bundle.Manifest;
import io.convnet.bundle.ModelBundle;
import io.convnet.bundle.SharedBundle;
import io.convnet.data.Preprocessing;
import io.convnet.nn.GraphNames;
import io.convnet.nn.Tensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * A loaded bundle prepared for visualization: layer facts from the manifest, and gradient ops added to
 * its graph once per target and reused (building them costs milliseconds; running them is the work).
 * Thread-safe: many threads may run at once; {@link #close()} waits for calls in flight.
 *
 * <p>The one gradient primitive is a <em>weighted channel mean</em>: for tensors {@code T} of shape
 * {@code [n, h, w, C]} (spatial mean taken) or {@code [n, C]} (logits), the objective is
 * {@code sum_t sum_i sum_c W_t[i, c] * mean_hw(T[i, ..., c])}, differentiated with respect to the
 * input. Per-image weights let one batched run serve a different filter (or class) per image, and an
 * image's objective never mixes with another's, so its gradient is its own.
 */
public final class VisualModel implements AutoCloseable {
  private final ModelBundle bundle;
  private final Manifest manifest;
  private final Preprocessing preprocessing;
  private final Map<String, ChannelGradient> channelGradients = new ConcurrentHashMap<>();
  private final Map<String, LayerGradient> layerGradients = new ConcurrentHashMap<>();
  private final Map<String, Operand<TFloat32>> channelMeans = new ConcurrentHashMap<>();
  private final SharedBundle shared;
  private volatile List<NetworkLayers.Layer> network;
  private int scopes;

  public VisualModel(ModelBundle bundle) {
    this.bundle = bundle;
    this.shared = new SharedBundle(bundle);
    this.manifest = bundle.manifest();
    if (manifest.input() == null || manifest.layers() == null || manifest.labels() == null) {
      throw new IllegalArgumentException("bundle " + bundle.dir() + " has no input size, layers or labels in its "
          + "manifest");
    }
    this.preprocessing = manifest.inputPreprocessing();
  }

  public static VisualModel load(Path bundleDir) {
    return new VisualModel(ModelBundle.load(bundleDir));
  }

  public Manifest manifest() {
    return manifest;
  }

  public Path dir() {
    return bundle.dir();
  }

  public String name() {
    return manifest.name();
  }

  public int version() {
    return manifest.version();
  }

  public Preprocessing preprocessing() {
    return preprocessing;
  }

  public PixelSpace pixels() {
    return PixelSpace.of(preprocessing);
  }

  public int height() {
    return preprocessing.height();
  }

  public int width() {
    return preprocessing.width();
  }

  public List<String> labels() {
    return manifest.labels();
  }

  public List<String> layerNames() {
    return manifest.layers().stream().map(Manifest.LayerEntry::name).toList();
  }

  public List<String> convLayers() {
    return manifest.convLayers();
  }

  /**
   * The last convolution of each block (a run of conv layers ended by a non-conv layer):
   * {@code conv_1..conv_4} for the tutorial CNN, {@code block1_conv2, block2_conv2, block3_conv3, ...}
   * for VGG16.
   */
  public List<String> lastConvOfEachBlock() {
    List<String> out = new ArrayList<>();
    List<Manifest.LayerEntry> layers = manifest.layers();
    for (int i = 0; i < layers.size(); i++) {
      boolean conv = layers.get(i).conv();
      boolean nextConv = i + 1 < layers.size() && layers.get(i + 1).conv();
      if (conv && !nextConv) {
        out.add(layers.get(i).name());
      }
    }
    return out;
  }

  /** The named layer's manifest entry; IllegalArgumentException listing the layers. */
  public Manifest.LayerEntry layer(String name) {
    return manifest.layers().stream().filter(l -> l.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown layer '" + name + "'; layers of model '" + name()
            + "': " + String.join(", ", layerNames())));
  }

  /** The named layer if it is a convolution; IllegalArgumentException naming the conv layers otherwise. */
  public Manifest.LayerEntry convLayer(String name) {
    Manifest.LayerEntry l = layer(name);
    if (!l.conv()) {
      throw new IllegalArgumentException("layer '" + name + "' is a " + l.type() + " layer, not a convolution; "
          + "conv layers: " + String.join(", ", convLayers()));
    }
    return l;
  }

  /** Channels (filters) of a layer's output: the last dimension of its shape. */
  public int channels(String layer) {
    int[] shape = layer(layer).outputShape();
    return shape[shape.length - 1];
  }

  /** Whether the graph has {@code <layer>_preact} (conv and dense layers). */
  public boolean hasPreactivation(String layer) {
    return bundle.graph().operation(GraphNames.preActivation(layer)) != null;
  }

  /** Index of a label; IllegalArgumentException listing the labels. */
  public int classIndex(String label) {
    int i = labels().indexOf(label);
    if (i < 0) {
      throw new IllegalArgumentException("unknown label '" + label + "'; labels of model '" + name() + "': "
          + String.join(", ", labels()));
    }
    return i;
  }

  /** Whether the output is one sigmoid unit (the logit is labels[1]'s, its negative labels[0]'s). */
  public boolean sigmoidOutput() {
    return manifest.output() != null ? "sigmoid".equals(manifest.output().activation().toLowerCase(Locale.ROOT))
        : labels().size() == 2 && logitCount() == 1;
  }

  private int logitCount() {
    Manifest.LayerEntry last = manifest.layers().get(manifest.layers().size() - 1);
    return last.outputShape()[last.outputShape().length - 1];
  }

  /**
   * Weights on the logits that score class {@code label}: one-hot for softmax; for a single sigmoid
   * unit +1 for labels[1] and -1 for labels[0] (its logit is {@code log(p1 / p0)}).
   */
  public float[] classWeights(int label) {
    int k = logitCount();
    float[] w = new float[k];
    if (k == 1) {
      w[0] = label == 1 ? 1f : -1f;
    } else {
      w[label] = 1f;
    }
    return w;
  }

  /** Named tensors of {@code n} images in one run, each with its shape (batch first). */
  public Map<String, Activation> activations(float[] nhwc, int n, List<String> names) {
    return read(() -> {
      for (String f : names) {
        if (bundle.graph().operation(opName(f)) == null) {
          throw new IllegalArgumentException("model '" + name() + "' has no tensor '" + f + "'");
        }
      }
      try (TFloat32 x = images(nhwc, n)) {
        Session.Runner runner = bundle.session().runner().feed(GraphNames.INPUT, x);
        names.forEach(runner::fetch);
        try (Result r = runner.run()) {
          Map<String, Activation> out = new LinkedHashMap<>();
          for (int i = 0; i < names.size(); i++) {
            TFloat32 t = (TFloat32) r.get(i);
            out.put(names.get(i), new Activation(names.get(i), t.shape().asArray(), Tensors.flat(t)));
          }
          return out;
        }
      }
    });
  }

  /** The op of a tensor name ({@code conv_1:0} -> {@code conv_1}); an op name stays as it is. */
  private static String opName(String tensor) {
    int colon = tensor.lastIndexOf(':');
    return colon < 0 ? tensor : tensor.substring(0, colon);
  }

  /** The layers as the explorer shows them, read once from the bundle ({@link NetworkLayers}). */
  public List<NetworkLayers.Layer> network() {
    List<NetworkLayers.Layer> n = network;
    if (n == null) {
      n = read(() -> NetworkLayers.read(bundle.graph(), manifest));
      network = n;
    }
    return n;
  }

  /** Runs {@code use} on the graph and session while the bundle cannot be closed (for reads in this package). */
  <T> T inSession(java.util.function.BiFunction<Graph, Session, T> use) {
    return read(() -> use.apply(bundle.graph(), bundle.session()));
  }

  /** Class probabilities of {@code n} images. */
  public float[][] probabilities(float[] nhwc, int n) {
    return read(() -> {
      try (TFloat32 x = images(nhwc, n);
          Result r = bundle.session().runner().feed(GraphNames.INPUT, x).fetch(GraphNames.PROBABILITIES).run()) {
        return Tensors.rows((TFloat32) r.get(0));
      }
    });
  }

  /** Spatial means per channel ({@code [n, C]}, row-major) of each named 4-D tensor, in one run. */
  public List<float[]> channelMeans(float[] nhwc, int n, List<String> tensors) {
    List<Operand<TFloat32>> ops = tensors.stream().map(this::channelMeanOp).toList();
    return read(() -> {
      try (TFloat32 x = images(nhwc, n)) {
        Session.Runner runner = bundle.session().runner().feed(GraphNames.INPUT, x);
        ops.forEach(runner::fetch);
        try (Result r = runner.run()) {
          List<float[]> out = new ArrayList<>();
          for (int i = 0; i < ops.size(); i++) {
            out.add(Tensors.flat((TFloat32) r.get(i)));
          }
          return out;
        }
      }
    });
  }

  /**
   * One forward and backward pass of the weighted channel mean over {@code targets}: the objective's
   * gradient with respect to the input, and every target's per-image channel means.
   *
   * @param weights one {@code [n, C_t]} row-major array per target
   */
  public GradientResult gradient(List<String> targets, float[] nhwc, int n, List<float[]> weights) {
    ChannelGradient g = channelGradients.computeIfAbsent(String.join("+", targets), k -> build(() ->
        ChannelGradient.build(scope(), bundle.graph(), targets)));
    return read(() -> g.run(bundle.session(), images(nhwc, n), n, weights));
  }

  /** Grad-CAM's pass: the conv layer's output, the gradient of the weighted logits w.r.t. it, probabilities. */
  public LayerGradient.Result layerGradient(String layer, float[] nhwc, int n, float[] logitWeights) {
    LayerGradient g = layerGradients.computeIfAbsent(layer, k -> build(() ->
        LayerGradient.build(scope(), bundle.graph(), layer)));
    return read(() -> g.run(bundle.session(), images(nhwc, n), n, logitWeights));
  }

  private Operand<TFloat32> channelMeanOp(String tensor) {
    return channelMeans.computeIfAbsent(tensor, t -> build(() -> {
      Ops tf = scope();
      return tf.math.mean(ChannelGradient.tensor(bundle.graph(), t), tf.constant(new int[] {1, 2}));
    }));
  }

  /** A fresh name scope for new ops ({@code viz_<n>/...}); callers hold the build lock. */
  private Ops scope() {
    return Ops.create(bundle.graph()).withSubScope("viz_" + scopes++);
  }

  private synchronized <T> T build(Supplier<T> builder) {
    return read(builder);
  }

  private <T> T read(Supplier<T> call) {
    return shared.use(call);
  }

  private TFloat32 images(float[] nhwc, int n) {
    return Tensors.images(nhwc, n, height(), width(), preprocessing.channels());
  }

  static TFloat32 matrix(float[] values, int rows, int cols) {
    return TFloat32.tensorOf(Shape.of(rows, cols), DataBuffers.of(values, true, false).narrow((long) rows * cols));
  }

  @Override
  public void close() {
    shared.close();
  }

  /** One fetched tensor: shape (batch first) and row-major values. */
  public record Activation(String name, long[] shape, float[] values) {}

  /** What a gradient pass returns: the input gradient and each target's channel means ({@code [n, C]}). */
  public record GradientResult(float[] inputGradient, List<float[]> means) {}

  /** The weighted-channel-mean objective over some tensors, and its input gradient. */
  static final class ChannelGradient {
    final List<Placeholder<TFloat32>> weights;
    final List<Operand<TFloat32>> means;
    final List<Integer> channels;
    final Output<?> inputGradient;

    private ChannelGradient(List<Placeholder<TFloat32>> weights, List<Operand<TFloat32>> means,
        List<Integer> channels, Output<?> inputGradient) {
      this.weights = weights;
      this.means = means;
      this.channels = channels;
      this.inputGradient = inputGradient;
    }

    @SuppressWarnings("unchecked")
    static Operand<TFloat32> tensor(Graph graph, String name) {
      if (graph.operation(name) == null) {
        throw new IllegalArgumentException("the model has no tensor '" + name + "'");
      }
      return (Operand<TFloat32>) graph.output(name);
    }

    static ChannelGradient build(Ops tf, Graph graph, List<String> targets) {
      List<Placeholder<TFloat32>> weights = new ArrayList<>();
      List<Operand<TFloat32>> means = new ArrayList<>();
      List<Integer> channels = new ArrayList<>();
      Operand<TFloat32> objective = null;
      for (String name : targets) {
        Operand<TFloat32> t = tensor(graph, name);
        int rank = t.shape().numDimensions();
        long c = t.shape().get(rank - 1);
        Operand<TFloat32> m = rank == 4 ? tf.math.mean(t, tf.constant(new int[] {1, 2})) : t;
        Placeholder<TFloat32> w = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, c)));
        Operand<TFloat32> term = tf.reduceSum(tf.math.mul(m, w), tf.constant(new int[] {0, 1}));
        objective = objective == null ? term : tf.math.add(objective, term);
        weights.add(w);
        means.add(m);
        channels.add(Math.toIntExact(c));
      }
      Output<?>[] grads = graph.addGradients(objective.asOutput(), new Output<?>[] {graph.output(GraphNames.INPUT)});
      return new ChannelGradient(weights, means, channels, grads[0]);
    }

    GradientResult run(Session session, TFloat32 x, int n, List<float[]> w) {
      List<TFloat32> fed = new ArrayList<>();
      try (x) {
        Session.Runner runner = session.runner().feed(GraphNames.INPUT, x);
        for (int i = 0; i < weights.size(); i++) {
          TFloat32 t = matrix(w.get(i), n, channels.get(i));
          fed.add(t);
          runner.feed(weights.get(i), t);
        }
        runner.fetch(inputGradient);
        means.forEach(runner::fetch);
        try (Result r = runner.run()) {
          List<float[]> m = new ArrayList<>();
          for (int i = 0; i < means.size(); i++) {
            m.add(Tensors.flat((TFloat32) r.get(i + 1)));
          }
          return new GradientResult(Tensors.flat((TFloat32) r.get(0)), m);
        }
      } finally {
        fed.forEach(TFloat32::close);
      }
    }
  }
}
