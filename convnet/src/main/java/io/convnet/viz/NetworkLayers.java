package io.convnet.viz;

import io.convnet.bundle.Manifest;
import io.convnet.bundle.Signatures;
import io.convnet.nn.GraphNames;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operation;
import org.tensorflow.Output;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.buffer.IntDataBuffer;
import org.tensorflow.proto.DataType;

/**
 * The layers of a loaded bundle as the explorer shows them, read from the bundle itself: names, types and
 * shapes from the manifest; which tensors hold each layer's output and pre-activation from its
 * {@code activations} signature; kernel size, stride and padding of convolutions and pooling, and each
 * layer's activation, from the ops of its graph (so a bundle explains itself without the Java that built it).
 */
public final class NetworkLayers {
  /** Op types that only pass a tensor on within a layer. */
  private static final Set<String> PASS_THROUGH = Set.of("Identity", "BiasAdd");

  private NetworkLayers() {}

  /**
   * One layer.
   *
   * @param inputShape    the layer below's output shape (the model input's for the first layer)
   * @param activation    {@code relu}, {@code sigmoid}, {@code softmax}, {@code linear}; null for layers without
   *                      one (pooling, flatten, dropout)
   * @param geometry      for convolutions and pooling; null otherwise
   * @param outputTensor  the graph tensor of the output ({@code conv_1:0})
   * @param preactTensor  the tensor before the activation, for conv and dense layers; null otherwise
   */
  public record Layer(String name, String type, int[] inputShape, int[] outputShape, String activation,
      LayerGeometry geometry, String outputTensor, String preactTensor) {

    public boolean spatial() {
      return outputShape.length == 3;
    }

    /** Whether it has a kernel and bias (convolutions and dense layers). */
    public boolean hasWeights() {
      return preactTensor != null;
    }

    /** Channels of a spatial output, units of a vector. */
    public int units() {
      return outputShape[outputShape.length - 1];
    }

    public int size() {
      int n = 1;
      for (int d : outputShape) {
        n *= d;
      }
      return n;
    }
  }

  /** Every layer, input to output; IllegalArgumentException when the bundle has no activations signature. */
  static List<Layer> read(Graph graph, Manifest manifest) {
    Map<String, String> tensors = activationTensors(manifest);
    List<Layer> out = new ArrayList<>();
    int[] in = {manifest.input().height(), manifest.input().width(), manifest.input().channels()};
    for (Manifest.LayerEntry e : manifest.layers()) {
      String output = tensors.get(e.name());
      if (output == null || op(graph, output) == null) {
        throw noActivations(manifest, "it has no tensor for layer '" + e.name() + "'");
      }
      String preact = tensors.get(GraphNames.preActivation(e.name()));
      if (preact != null && op(graph, preact) == null) {
        preact = null;
      }
      String activation = preact == null ? null : activation(op(graph, output));
      out.add(new Layer(e.name(), e.type(), in.clone(), e.outputShape().clone(), activation,
          geometry(graph, e, in, output, preact), output, preact));
      in = e.outputShape();
    }
    return List.copyOf(out);
  }

  /**
   * The kernel and bias tensors of a conv or dense layer: the second inputs of its {@code Conv2D} or
   * {@code MatMul} and of the {@code BiasAdd} after it.
   */
  static Output<?>[] weights(Graph graph, Layer layer) {
    GraphOperation biasAdd = find(op(graph, layer.preactTensor()), "BiasAdd");
    GraphOperation product = biasAdd == null ? null : find((GraphOperation) biasAdd.input(0).op(), "Conv2D", "MatMul");
    if (product == null) {
      throw new IllegalArgumentException("layer '" + layer.name() + "' has no kernel and bias this explorer can read");
    }
    return new Output<?>[] {product.input(1), biasAdd.input(1)};
  }

  /** Output name -> graph tensor of the activations signature; layer names when the manifest lists no signatures. */
  private static Map<String, String> activationTensors(Manifest manifest) {
    if (manifest.signatures() == null) {
      Map<String, String> byName = new LinkedHashMap<>();
      for (Manifest.LayerEntry e : manifest.layers()) {
        byName.put(e.name(), e.name() + ":0");
        byName.put(GraphNames.preActivation(e.name()), GraphNames.preActivation(e.name()) + ":0");
      }
      return byName;
    }
    Manifest.SignatureEntry acts = manifest.signatures().get(Signatures.ACTIVATIONS);
    if (acts == null || acts.outputs() == null) {
      throw noActivations(manifest, "it has no '" + Signatures.ACTIVATIONS + "' signature");
    }
    return acts.outputs();
  }

  private static IllegalArgumentException noActivations(Manifest m, String why) {
    return new IllegalArgumentException("model '" + m.name() + "' v" + m.version() + " cannot be explored layer by "
        + "layer: " + why + " (bundles the trainer writes export every layer output and pre-activation in their '"
        + Signatures.ACTIVATIONS + "' signature)");
  }

  private static GraphOperation op(Graph graph, String tensor) {
    int colon = tensor.lastIndexOf(':');
    return graph.operation(colon < 0 ? tensor : tensor.substring(0, colon));
  }

  /** The op of one of {@code types} at or behind {@code from} along first inputs, through Identity and BiasAdd. */
  private static GraphOperation find(GraphOperation from, String... types) {
    GraphOperation op = from;
    for (int hops = 0; op != null && hops < 4; hops++) {
      for (String t : types) {
        if (op.type().equals(t)) {
          return op;
        }
      }
      if (!PASS_THROUGH.contains(op.type()) || op.numInputs() == 0) {
        return null;
      }
      op = (GraphOperation) op.input(0).op();
    }
    return null;
  }

  /** The op that makes a conv or dense layer's output from its pre-activation. */
  private static String activation(GraphOperation output) {
    Operation op = output;
    while (op.type().equals("Identity")) {
      op = ((GraphOperation) op).input(0).op();
    }
    return switch (op.type()) {
      case "Relu" -> "relu";
      case "Sigmoid" -> "sigmoid";
      case "Softmax" -> "softmax";
      case "Tanh" -> "tanh";
      case "BiasAdd" -> "linear";
      default -> op.type().toLowerCase(java.util.Locale.ROOT);
    };
  }

  private static LayerGeometry geometry(Graph graph, Manifest.LayerEntry e, int[] in, String output, String preact) {
    if (in.length != 3 || e.outputShape().length != 3) {
      return null;
    }
    GraphOperation conv = preact == null ? null : find(op(graph, preact), "Conv2D");
    if (conv != null) {
      long[] kernel = conv.input(1).shape().asArray();
      long[] strides = conv.attributes().getAttrIntList("strides");
      return LayerGeometry.of(in, (int) kernel[0], (int) kernel[1], (int) strides[1], (int) strides[2],
          conv.attributes().getAttrString("padding"));
    }
    GraphOperation pool = find(op(graph, output), "MaxPool", "MaxPoolV2", "AvgPool");
    if (pool == null) {
      return null;
    }
    long[] size;
    long[] strides;
    if (pool.type().equals("MaxPoolV2")) {
      size = constant(pool.input(1));
      strides = constant(pool.input(2));
    } else {
      size = pool.attributes().getAttrIntList("ksize");
      strides = pool.attributes().getAttrIntList("strides");
    }
    if (size == null || strides == null) {
      return null;
    }
    return LayerGeometry.of(in, (int) size[1], (int) size[2], (int) strides[1], (int) strides[2],
        pool.attributes().getAttrString("padding"));
  }

  /** The int32 values of a {@code Const} op's output; null when it is not one. */
  private static long[] constant(Output<?> o) {
    GraphOperation op = (GraphOperation) o.op();
    if (!op.type().equals("Const")) {
      return null;
    }
    try (Tensor t = op.attributes().getAttrTensor("value")) {
      if (t.dataType() != DataType.DT_INT32) {
        return null;
      }
      IntDataBuffer ints = t.asRawTensor().data().asInts();
      long[] out = new long[Math.toIntExact(ints.size())];
      for (int i = 0; i < out.length; i++) {
        out[i] = ints.getInt(i);
      }
      return out;
    }
  }
}
