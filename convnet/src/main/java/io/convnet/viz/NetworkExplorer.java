package io.convnet.viz;

import io.convnet.image.RgbImage;
import io.convnet.nn.GraphNames;
import io.convnet.nn.Tensors;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.types.TFloat32;

/**
 * The network explorer's numbers, all from the bundle: every layer's output (and, for conv and dense layers,
 * its pre-activation) for one image in one TensorFlow run; the window of the layer below that a convolution
 * or pooling unit reads; and one unit's kernel and bias. With them a convolution unit's value is the
 * tutorial's "feature detector" arithmetic on real numbers: the sum over the input channels of window times
 * kernel, plus the bias, is the pre-activation, and the activation (ReLU) of that is the output.
 *
 * <p>Every array is row-major in TensorFlow's layout: a spatial layer {@code [h, w, c]}, a vector {@code [n]}.
 */
public final class NetworkExplorer {
  /** What {@link #window} calls the model input when it is the layer below. */
  public static final String INPUT = "input";

  private NetworkExplorer() {}

  /** One layer's values; {@code preactivation} is null for layers without one. */
  public record LayerValues(NetworkLayers.Layer layer, float[] output, float[] preactivation) {}

  /**
   * @param input      the model input as the network sees it (preprocessed), {@code [h, w, c]}
   * @param layers     the layers asked for, input to output
   */
  public record Exploration(float[] input, int[] inputShape, List<LayerValues> layers, float[] probabilities) {
    /** The named layer's values; IllegalArgumentException when it was not fetched. */
    public LayerValues layer(String name) {
      return layers.stream().filter(l -> l.layer().name().equals(name)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("layer '" + name + "' was not fetched"));
    }
  }

  /**
   * The window of the layer below that one unit reads: {@code values} is {@code [channels][height][width]},
   * its cell {@code (i, j)} being row {@code top + i}, column {@code left + j} of the layer below, 0 where that
   * is outside it (padding).
   *
   * @param below the layer below's name, or {@link #INPUT}
   */
  public record Window(String layer, String below, int top, int left, int height, int width, int channels,
      float[] values) {}

  /**
   * One unit's incoming weights: {@code [inChannels][kernelHeight][kernelWidth]} for a convolution filter (its
   * {@code shape}), {@code [inputs]} for a dense unit.
   */
  public record UnitWeights(String layer, String type, int unit, int[] shape, float[] weights, float bias) {}

  /**
   * The model input and the named layers' outputs and pre-activations for {@code image}, in one run.
   *
   * @param layers layer names; empty means every layer
   */
  public static Exploration explore(VisualModel model, RgbImage image, Collection<String> layers) {
    List<NetworkLayers.Layer> network = model.network();
    List<NetworkLayers.Layer> chosen = new ArrayList<>();
    if (layers.isEmpty()) {
      chosen.addAll(network);
    } else {
      LinkedHashSet<String> wanted = new LinkedHashSet<>(layers);
      for (String name : wanted) {
        model.layer(name);  // unknown: IllegalArgumentException listing the layers
      }
      network.stream().filter(l -> wanted.contains(l.name())).forEach(chosen::add);
    }
    float[] x = model.preprocessing().apply(image);
    List<String> fetch = new ArrayList<>();
    for (NetworkLayers.Layer l : chosen) {
      fetch.add(l.outputTensor());
      if (l.preactTensor() != null) {
        fetch.add(l.preactTensor());
      }
    }
    fetch.add(GraphNames.PROBABILITIES);
    Map<String, VisualModel.Activation> values = model.activations(x, 1, fetch);
    List<LayerValues> out = new ArrayList<>();
    for (NetworkLayers.Layer l : chosen) {
      out.add(new LayerValues(l, values.get(l.outputTensor()).values(),
          l.preactTensor() == null ? null : values.get(l.preactTensor()).values()));
    }
    int h = model.height();
    int w = model.width();
    return new Exploration(x, new int[] {h, w, x.length / (h * w)}, List.copyOf(out),
        values.get(GraphNames.PROBABILITIES).values());
  }

  /** The layer {@code layer} reads: the one before it, or null for the first (it reads the model input). */
  public static String below(VisualModel model, String layer) {
    List<NetworkLayers.Layer> network = model.network();
    int i = network.indexOf(find(model, layer));
    return i == 0 ? null : network.get(i - 1).name();
  }

  /**
   * The window of the layer below that unit {@code (y, x)} of a convolution or pooling layer reads, every
   * channel of it; the layer below must be in {@code e} (or be the input).
   */
  public static Window window(VisualModel model, Exploration e, String layer, int y, int x) {
    NetworkLayers.Layer l = find(model, layer);
    LayerGeometry g = l.geometry();
    if (g == null) {
      throw new IllegalArgumentException("layer '" + layer + "' is a " + l.type() + " layer: only convolution and "
          + "pooling units read a window of the layer below");
    }
    int[] shape = l.outputShape();
    if (y < 0 || x < 0 || y >= shape[0] || x >= shape[1]) {
      throw new IllegalArgumentException("unit (y " + y + ", x " + x + ") is outside layer '" + layer + "' ("
          + shape[0] + "x" + shape[1] + ")");
    }
    String belowName = below(model, layer);
    float[] below = belowName == null ? e.input() : e.layer(belowName).output();
    int[] in = l.inputShape();
    int channels = in[2];
    int top = g.top(y);
    int left = g.left(x);
    float[] values = new float[channels * g.kernelHeight() * g.kernelWidth()];
    for (int c = 0; c < channels; c++) {
      for (int i = 0; i < g.kernelHeight(); i++) {
        int r = top + i;
        for (int j = 0; j < g.kernelWidth(); j++) {
          int col = left + j;
          if (r >= 0 && r < in[0] && col >= 0 && col < in[1]) {
            values[(c * g.kernelHeight() + i) * g.kernelWidth() + j] = below[(r * in[1] + col) * channels + c];
          }
        }
      }
    }
    return new Window(layer, belowName == null ? INPUT : belowName, top, left, g.kernelHeight(), g.kernelWidth(),
        channels, values);
  }

  /** The kernel and bias of filter (or unit) {@code unit} of a conv or dense layer. */
  public static UnitWeights weights(VisualModel model, String layer, int unit) {
    NetworkLayers.Layer l = find(model, layer);
    if (!l.hasWeights()) {
      throw new IllegalArgumentException("layer '" + layer + "' (" + l.type() + ") has no weights; layers with "
          + "weights: " + String.join(", ", model.network().stream().filter(NetworkLayers.Layer::hasWeights)
              .map(NetworkLayers.Layer::name).toList()));
    }
    int units = l.units();
    if (unit < 0 || unit >= units) {
      throw new IllegalArgumentException("unit " + unit + " is out of range: layer '" + layer + "' has " + units
          + " units (0.." + (units - 1) + ")");
    }
    return model.inSession((graph, session) -> {
      Output<?>[] tensors = NetworkLayers.weights(graph, l);
      try (Result r = session.runner().fetch(tensors[0]).fetch(tensors[1]).run()) {
        TFloat32 kernel = (TFloat32) r.get(0);
        long[] shape = kernel.shape().asArray();
        float[] all = Tensors.flat(kernel);
        float bias = Tensors.flat((TFloat32) r.get(1))[unit];
        if (shape.length == 4) {  // [kh, kw, in, out] -> [in][kh][kw] of filter `unit`
          int kh = (int) shape[0];
          int kw = (int) shape[1];
          int in = (int) shape[2];
          float[] w = new float[in * kh * kw];
          for (int i = 0; i < kh; i++) {
            for (int j = 0; j < kw; j++) {
              for (int c = 0; c < in; c++) {
                w[(c * kh + i) * kw + j] = all[((i * kw + j) * in + c) * units + unit];
              }
            }
          }
          return new UnitWeights(layer, l.type(), unit, new int[] {in, kh, kw}, w, bias);
        }
        int in = (int) shape[0];  // [in, units] -> column `unit`
        float[] w = new float[in];
        for (int i = 0; i < in; i++) {
          w[i] = all[i * units + unit];
        }
        return new UnitWeights(layer, l.type(), unit, new int[] {in}, w, bias);
      }
    });
  }

  /** The named layer; IllegalArgumentException listing the layers ({@link VisualModel#layer}). */
  private static NetworkLayers.Layer find(VisualModel model, String layer) {
    model.layer(layer);
    return model.network().stream().filter(l -> l.name().equals(layer)).findFirst().orElseThrow();
  }
}
