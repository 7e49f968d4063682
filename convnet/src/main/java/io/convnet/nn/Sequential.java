package io.convnet.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A stack of layers from one image input, like Keras' {@code Sequential}. It is only a description:
 * {@link #build(long)} turns it into a TensorFlow graph with a session ({@link Model}).
 */
public final class Sequential {
  /** Op names the graph itself uses; layers may not take them. */
  static final Set<String> RESERVED = Set.of(GraphNames.INPUT, GraphNames.TRAINING, GraphNames.STEP_SEED,
      GraphNames.LOGITS, GraphNames.PROBABILITIES, GraphNames.LABELS, GraphNames.LOSS, GraphNames.TRAIN_STEP,
      GraphNames.LEARNING_RATE);
  private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");

  private final String name;
  private final int[] inputShape;
  private final List<Layer> layers;

  private Sequential(String name, int[] inputShape, List<Layer> layers) {
    this.name = name;
    this.inputShape = inputShape;
    this.layers = layers;
  }

  /**
   * Starts a model on images of {@code height x width x channels}, or on feature maps (a transfer-learning head
   * trained on cached bottleneck features takes e.g. 4x4x512).
   */
  public static Sequential input(int height, int width, int channels) {
    if (height < 1 || width < 1 || channels < 1 || height > 4096 || width > 4096 || channels > 4096) {
      throw new IllegalArgumentException("input must be 1..4096 x 1..4096 x 1..4096, got "
          + height + "x" + width + "x" + channels);
    }
    return new Sequential("sequential", new int[] {height, width, channels}, List.of());
  }

  public Sequential name(String modelName) {
    return new Sequential(modelName, inputShape, layers);
  }

  /** A new model with {@code layer} appended (named {@code <stem>_<n>} as Keras does when it has no name). */
  public Sequential add(Layer layer) {
    Layer named = layer.name() != null ? layer : layer.withName(defaultName(layer.defaultNameStem()));
    checkName(named.name());
    List<Layer> next = new ArrayList<>(layers);
    next.add(named);
    Sequential s = new Sequential(name, inputShape, Collections.unmodifiableList(next));
    s.layerInfos(); // fail now, naming the layer, if the shapes do not fit
    return s;
  }

  /** A new model without its last {@code n} layers (to replace a classifier head). */
  public Sequential pop(int n) {
    if (n < 0 || n > layers.size()) {
      throw new IllegalArgumentException("cannot remove " + n + " of " + layers.size() + " layers");
    }
    return new Sequential(name, inputShape, layers.subList(0, layers.size() - n));
  }

  /** A new model where the named layers are frozen (not trained) or unfrozen. */
  public Sequential trainable(Set<String> layerNames, boolean trainable) {
    Set<String> missing = new HashSet<>(layerNames);
    List<Layer> next = new ArrayList<>();
    for (Layer l : layers) {
      missing.remove(l.name());
      if (layerNames.contains(l.name())) {
        if (l instanceof Conv2D c) {
          l = c.trainable(trainable);
        } else if (l instanceof Dense d) {
          l = d.trainable(trainable);
        }
      }
      next.add(l);
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("no such layers: " + missing + "; layers: " + layerNames());
    }
    return new Sequential(name, inputShape, List.copyOf(next));
  }

  public String name() {
    return name;
  }

  public int[] inputShape() {
    return inputShape.clone();
  }

  public List<Layer> layers() {
    return layers;
  }

  public List<String> layerNames() {
    return layers.stream().map(Layer::name).toList();
  }

  public Layer layer(String layerName) {
    return layers.stream().filter(l -> l.name().equals(layerName)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no layer '" + layerName + "'; layers: " + layerNames()));
  }

  /** Input shape of every layer, in order (the previous layer's output shape). */
  public List<int[]> layerInputShapes() {
    List<int[]> shapes = new ArrayList<>();
    int[] shape = inputShape;
    for (Layer l : layers) {
      shapes.add(shape);
      shape = l.outputShape(shape);
    }
    return shapes;
  }

  public List<LayerInfo> layerInfos() {
    List<LayerInfo> infos = new ArrayList<>();
    int[] shape = inputShape;
    for (Layer l : layers) {
      int[] out = l.outputShape(shape);
      infos.add(new LayerInfo(l.name(), l.type(), out, l.params(shape), l.conv(), l.trainable()));
      shape = out;
    }
    return infos;
  }

  public int[] outputShape() {
    List<LayerInfo> infos = layerInfos();
    return infos.isEmpty() ? inputShape.clone() : infos.get(infos.size() - 1).outputShape();
  }

  /** Every weight of the model, in layer order. */
  public List<WeightSpec> weights() {
    List<WeightSpec> all = new ArrayList<>();
    List<int[]> ins = layerInputShapes();
    for (int i = 0; i < layers.size(); i++) {
      all.addAll(layers.get(i).weights(ins.get(i)));
    }
    return all;
  }

  public long paramCount() {
    return layerInfos().stream().mapToLong(LayerInfo::params).sum();
  }

  public long trainableParamCount() {
    return layerInfos().stream().filter(LayerInfo::trainable).mapToLong(LayerInfo::params).sum();
  }

  /** The model's output head: what the last layer's activation says about the classes. */
  public OutputHead head() {
    if (layers.isEmpty() || !(layers.get(layers.size() - 1) instanceof Dense last)) {
      throw new IllegalArgumentException("model '" + name + "' must end with a Dense layer (sigmoid or softmax)");
    }
    return OutputHead.of(last);
  }

  /** Keras-style table of layers, output shapes and parameter counts. */
  public String summary() {
    return Summary.format(this);
  }

  /** Builds the graph, a session and glorot-uniform/zero initial weights drawn from {@code seed}. */
  public Model build(long seed) {
    head();
    return Model.build(this, seed, null);
  }

  /**
   * Like {@link #build(long)}, but {@code input} defaults to what {@code defaultInput} builds in the same
   * graph (e.g. images decoded from bytes): running the model without feeding {@code input} computes
   * it, feeding {@code input} bypasses it. For exported bundles.
   */
  public Model build(long seed, Function<Ops, Operand<TFloat32>> defaultInput) {
    head();
    return Model.build(this, seed, defaultInput);
  }

  private String defaultName(String stem) {
    Map<String, Integer> used = new HashMap<>();
    for (Layer l : layers) {
      used.merge(l.name(), 1, Integer::sum);
    }
    if (!used.containsKey(stem)) {
      return stem;
    }
    for (int i = 1; ; i++) {
      if (!used.containsKey(stem + "_" + i)) {
        return stem + "_" + i;
      }
    }
  }

  private void checkName(String layerName) {
    if (!NAME.matcher(layerName).matches()) {
      throw new IllegalArgumentException("layer name '" + layerName + "' must be letters, digits and _ , "
          + "starting with a letter");
    }
    if (RESERVED.contains(layerName)) {
      throw new IllegalArgumentException("layer name '" + layerName + "' is reserved; reserved: " + RESERVED);
    }
    if (layers.stream().anyMatch(l -> l.name().equals(layerName))) {
      throw new IllegalArgumentException("duplicate layer name '" + layerName + "'");
    }
  }
}
