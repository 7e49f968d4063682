package io.convnet.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * A built {@link Sequential}: its TensorFlow graph and session, with every layer output named after the
 * layer, conv/dense pre-activations as {@code <layer>_preact}, {@code logits}, {@code probabilities},
 * and weights settable from Java by variable or layer name. Training adds its ops to this graph
 * ({@code io.convnet.train}). Not thread-safe for graph changes; {@link #predict} may run concurrently.
 */
public final class Model implements AutoCloseable {
  private final Sequential spec;
  private final Graph graph;
  private final Session session;
  private final Ops tf;
  private final Operand<TFloat32> input;
  private final Operand<TFloat32> training;
  private final Operand<TInt64> stepSeed;
  private final Map<String, Operand<TFloat32>> layerOutputs;
  private final Map<String, Operand<TFloat32>> preActivations;
  private final Map<String, ModelVariable> variables;
  private final Operand<TFloat32> logits;
  private final Operand<TFloat32> probabilities;

  private Model(Sequential spec, Graph graph, Session session, Ops tf, Operand<TFloat32> input,
      Operand<TFloat32> training, Operand<TInt64> stepSeed, Map<String, Operand<TFloat32>> layerOutputs,
      Map<String, Operand<TFloat32>> preActivations, Map<String, ModelVariable> variables,
      Operand<TFloat32> logits, Operand<TFloat32> probabilities) {
    this.spec = spec;
    this.graph = graph;
    this.session = session;
    this.tf = tf;
    this.input = input;
    this.training = training;
    this.stepSeed = stepSeed;
    this.layerOutputs = layerOutputs;
    this.preActivations = preActivations;
    this.variables = variables;
    this.logits = logits;
    this.probabilities = probabilities;
  }

  static Model build(Sequential spec, long seed, Function<Ops, Operand<TFloat32>> defaultInput) {
    Graph graph = new Graph();
    try {
      Ops tf = Ops.create(graph);
      int[] in = spec.inputShape();
      Shape inputShape = Shape.of(-1, in[0], in[1], in[2]);
      Operand<TFloat32> input = defaultInput == null
          ? tf.withName(GraphNames.INPUT).placeholder(TFloat32.class, Placeholder.shape(inputShape))
          : tf.withName(GraphNames.INPUT).placeholderWithDefault(defaultInput.apply(tf), inputShape);
      Operand<TFloat32> training = tf.withName(GraphNames.TRAINING)
          .placeholderWithDefault(tf.constant(0f), Shape.scalar());
      Operand<TInt64> stepSeed = tf.withName(GraphNames.STEP_SEED)
          .placeholderWithDefault(tf.constant(new long[] {0L, 0L}), Shape.of(2));
      Builder b = new Builder(tf, seed, training, stepSeed);
      Operand<TFloat32> x = input;
      List<int[]> inShapes = spec.layerInputShapes();
      for (int i = 0; i < spec.layers().size(); i++) {
        Layer layer = spec.layers().get(i);
        b.current = layer;
        b.index = i;
        Operand<TFloat32> out = layer.build(b, x, inShapes.get(i));
        x = tf.withName(layer.name()).identity(out);
        b.outputs.put(layer.name(), x);
      }
      OutputHead head = spec.head();
      String last = spec.layers().get(spec.layers().size() - 1).name();
      Operand<TFloat32> logits = tf.withName(GraphNames.LOGITS).identity(b.preacts.get(last));
      Operand<TFloat32> probabilities = head.activation() == Activation.SIGMOID
          ? tf.withName(GraphNames.PROBABILITIES).concat(List.of(tf.math.sub(tf.constant(1f), x), x), tf.constant(1))
          : tf.withName(GraphNames.PROBABILITIES).identity(x);
      Session session = new Session(graph, TensorFlowThreads.process().configProto());
      session.initialize();
      return new Model(spec, graph, session, tf, input, training, stepSeed,
          Collections.unmodifiableMap(b.outputs), Collections.unmodifiableMap(b.preacts),
          Collections.unmodifiableMap(b.variables), logits, probabilities);
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
  }

  public Sequential spec() {
    return spec;
  }

  public Graph graph() {
    return graph;
  }

  public Session session() {
    return session;
  }

  public Ops tf() {
    return tf;
  }

  /** The {@code input} placeholder (with a default when built with one): feed it preprocessed images. */
  public Operand<TFloat32> input() {
    return input;
  }

  public Operand<TFloat32> trainingFlag() {
    return training;
  }

  public Operand<TInt64> stepSeed() {
    return stepSeed;
  }

  public Operand<TFloat32> logits() {
    return logits;
  }

  public Operand<TFloat32> probabilities() {
    return probabilities;
  }

  public OutputHead head() {
    return spec.head();
  }

  /** Output of the named layer (after its activation). */
  public Operand<TFloat32> layerOutput(String layer) {
    Operand<TFloat32> o = layerOutputs.get(layer);
    if (o == null) {
      throw new IllegalArgumentException("no layer '" + layer + "'; layers: " + spec.layerNames());
    }
    return o;
  }

  /** Conv/dense pre-activation (bias added, before the activation) of the named layer. */
  public Operand<TFloat32> preActivation(String layer) {
    Operand<TFloat32> o = preActivations.get(layer);
    if (o == null) {
      throw new IllegalArgumentException("layer '" + layer + "' has no pre-activation; these do: "
          + preActivations.keySet());
    }
    return o;
  }

  public Map<String, Operand<TFloat32>> layerOutputs() {
    return layerOutputs;
  }

  public Map<String, Operand<TFloat32>> preActivations() {
    return preActivations;
  }

  /** Every weight variable by flat name ({@code conv_1_kernel}), in layer order. */
  public Map<String, ModelVariable> variables() {
    return variables;
  }

  public List<ModelVariable> trainableVariables() {
    return variables.values().stream().filter(ModelVariable::trainable).toList();
  }

  /** The variables of the named layers, e.g. to fine-tune only the last block. */
  public List<ModelVariable> variablesOf(java.util.Collection<String> layers) {
    List<ModelVariable> out = new ArrayList<>();
    for (String l : layers) {
      spec.layer(l);
      variables.values().stream().filter(v -> v.spec().layer().equals(l)).forEach(out::add);
    }
    return out;
  }

  public ModelVariable variable(String name) {
    ModelVariable v = variables.get(name);
    if (v == null) {
      throw new IllegalArgumentException("no variable '" + name + "'; variables: " + variables.keySet());
    }
    return v;
  }

  /** Current value of a variable, flattened row-major in its {@link WeightSpec#shape()}. */
  public float[] weight(String variableName) {
    ModelVariable v = variable(variableName);
    try (Result r = session.runner().fetch(v.variable()).run()) {
      TFloat32 t = (TFloat32) r.get(0);
      float[] values = new float[Math.toIntExact(t.size())];
      t.copyTo(DataBuffers.of(values, false, false));
      return values;
    }
  }

  /** Sets a variable from a row-major float array of its shape (Keras .h5 layout for conv and dense). */
  public void setWeight(String variableName, float[] values) {
    ModelVariable v = variable(variableName);
    int[] shape = v.spec().shape();
    if (values.length != v.spec().size()) {
      throw new IllegalArgumentException("variable " + variableName + " has shape " + Arrays.toString(shape)
          + " (" + v.spec().size() + " values), got " + values.length);
    }
    long[] dims = Arrays.stream(shape).asLongStream().toArray();
    try (TFloat32 t = TFloat32.tensorOf(Shape.of(dims), DataBuffers.of(values, true, false))) {
      session.runner().feed(v.value(), t).addTarget(v.assign()).run().close();
    }
  }

  /** Sets a conv or dense layer's kernel and bias. */
  public void setLayerWeights(String layer, float[] kernel, float[] bias) {
    spec.layer(layer);
    setWeight(layer + "_kernel", kernel);
    setWeight(layer + "_bias", bias);
  }

  /** Every variable's current value, by name. */
  public Map<String, float[]> weights() {
    Map<String, float[]> all = new LinkedHashMap<>();
    for (String name : variables.keySet()) {
      all.put(name, weight(name));
    }
    return all;
  }

  public void setWeights(Map<String, float[]> values) {
    values.forEach(this::setWeight);
  }

  /** Class probabilities of {@code n} preprocessed NHWC images; rows of {@code head().classes()}. */
  public float[][] predict(float[] nhwc, int n) {
    int[] in = spec.inputShape();
    try (TFloat32 x = Tensors.images(nhwc, n, in[0], in[1], in[2]);
        Result r = session.runner().feed(input, x).fetch(probabilities).run()) {
      return Tensors.rows((TFloat32) r.get(0));
    }
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }

  /** The layer context while building: creates variables, collects outputs. */
  private static final class Builder implements LayerContext {
    final Ops root;
    final long seed;
    final Operand<TFloat32> training;
    final Operand<TInt64> stepSeed;
    final Map<String, Operand<TFloat32>> outputs = new LinkedHashMap<>();
    final Map<String, Operand<TFloat32>> preacts = new LinkedHashMap<>();
    final Map<String, ModelVariable> variables = new LinkedHashMap<>();
    Layer current;
    int index;

    Builder(Ops root, long seed, Operand<TFloat32> training, Operand<TInt64> stepSeed) {
      this.root = root;
      this.seed = seed;
      this.training = training;
      this.stepSeed = stepSeed;
    }

    @Override
    public Ops tf() {
      return root;
    }

    @Override
    public Variable<TFloat32> variable(WeightSpec spec) {
      Operand<TFloat32> init = Initializers.initialValue(root.withSubScope(spec.variableName() + "_init"), spec,
          seed, variables.size());
      Variable<TFloat32> var = root.withName(spec.variableName()).variable(init);
      Placeholder<TFloat32> value = root.withName(spec.variableName() + "_value").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(Arrays.stream(spec.shape()).asLongStream().toArray())));
      var assign = root.withName(spec.variableName() + "_assign").assign(var, value);
      variables.put(spec.variableName(), new ModelVariable(spec, current.trainable(), var, value, assign));
      return var;
    }

    @Override
    public Operand<TFloat32> trainingFlag() {
      return training;
    }

    @Override
    public Operand<TInt64> stepSeed() {
      return stepSeed;
    }

    @Override
    public void preActivation(String layer, Operand<TFloat32> preact) {
      preacts.put(layer, root.withName(GraphNames.preActivation(layer)).identity(preact));
    }

    @Override
    public int layerIndex() {
      return index;
    }
  }
}
