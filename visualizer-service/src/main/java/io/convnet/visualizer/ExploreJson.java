package io.convnet.visualizer;

import io.convnet.viz.LayerGeometry;
import io.convnet.viz.NetworkExplorer;
import io.convnet.viz.NetworkExplorer.Exploration;
import io.convnet.viz.NetworkExplorer.LayerValues;
import io.convnet.viz.NetworkExplorer.UnitWeights;
import io.convnet.viz.NetworkLayers;
import io.convnet.viz.VisualModel;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * The explorer's JSON: maps travel base64-encoded, a spatial layer's chosen channels one after another
 * ({@code [c][h][w]}, each channel a map), a vector as one map; {@code float32} little-endian (exact), or
 * {@code uint8} with each map's {@code min} and {@code max} ({@code value = min + q * (max - min) / 255}).
 * {@code uint8} applies to spatial maps only: vectors (flatten, dense) stay exact, as the arithmetic of a dense
 * unit needs them and they are small. Each block names its encoding.
 */
final class ExploreJson {
  private ExploreJson() {}

  enum Encoding {
    FLOAT32(4), UINT8(1);

    final int bytes;

    Encoding(int bytes) {
      this.bytes = bytes;
    }

    static Encoding parse(String s) {
      return switch (s.isBlank() ? "float32" : s.trim().toLowerCase(Locale.ROOT)) {
        case "float32" -> FLOAT32;
        case "uint8" -> UINT8;
        default -> throw Failures.invalid("encoding must be float32 or uint8, not '" + s + "'");
      };
    }

    String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Which channels of a spatial layer an answer carries. */
  record Channels(int first, int count) {
    int firstOf(NetworkLayers.Layer l) {
      return Math.min(first, l.units());
    }

    int countOf(NetworkLayers.Layer l) {
      return Math.max(0, Math.min(first + count, l.units()) - firstOf(l));
    }

    /**
     * Bytes a layer puts in the answer (before base64): the chosen channels of a spatial layer in the encoding, a
     * whole vector as float32, both with the pre-activation.
     */
    long bytes(NetworkLayers.Layer l, Encoding encoding) {
      long one = l.spatial() ? (long) l.outputShape()[0] * l.outputShape()[1] * countOf(l) * encoding.bytes
          : 4L * l.size();
      return l.preactTensor() == null ? one : 2 * one;
    }
  }

  static JsonObject exploration(VisualModel m, Exploration e, List<String> shown, Channels channels,
      Encoding encoding, NetworkExplorer.Window window) {
    int predicted = io.convnet.nn.Tensors.argmax(e.probabilities());
    int[] in = e.inputShape();
    JsonObject input = new JsonObject().put("shape", ints(in))
        .put("preprocessing", m.preprocessing().mode().name())
        .put("values", maps(e.input(), in[0] * in[1], in[2], 0, in[2], encoding));
    JsonArray layers = new JsonArray();
    for (LayerValues v : e.layers()) {
      if (shown.contains(v.layer().name())) {
        layers.add(layer(v, channels, encoding));
      }
    }
    JsonObject o = new JsonObject().put("model", ResultJson.model(m)).put("labels", new JsonArray(m.labels()))
        .put("probabilities", ResultJson.floats(e.probabilities()))
        .put("predicted", new JsonObject().put("index", predicted).put("label", m.labels().get(predicted))
            .put("probability", e.probabilities()[predicted]))
        .put("encoding", encoding.id()).put("input", input).put("layers", layers);
    if (window != null) {
      o.put("window", new JsonObject().put("layer", window.layer()).put("below", window.below())
          .put("top", window.top()).put("left", window.left()).put("height", window.height())
          .put("width", window.width()).put("channels", window.channels())
          .put("values", maps(window.values(), window.values().length, 1, 0, 1, Encoding.FLOAT32)));
    }
    return o;
  }

  private static JsonObject layer(LayerValues v, Channels channels, Encoding encoding) {
    NetworkLayers.Layer l = v.layer();
    JsonObject o = new JsonObject().put("name", l.name()).put("type", l.type()).put("shape", ints(l.outputShape()));
    if (l.activation() != null) {
      o.put("activation", l.activation());
    }
    LayerGeometry g = l.geometry();
    if (g != null) {
      o.put("geometry", new JsonObject().put("kernel", new JsonArray().add(g.kernelHeight()).add(g.kernelWidth()))
          .put("stride", new JsonArray().add(g.strideY()).add(g.strideX())).put("padding", g.padding())
          .put("pads", new JsonObject().put("top", g.padTop()).put("left", g.padLeft()).put("bottom", g.padBottom())
              .put("right", g.padRight())));
    }
    Encoding e = l.spatial() ? encoding : Encoding.FLOAT32;
    int pixels = l.spatial() ? l.outputShape()[0] * l.outputShape()[1] : l.size();
    int c = l.spatial() ? l.units() : 1;
    int first = l.spatial() ? channels.firstOf(l) : 0;
    int count = l.spatial() ? channels.countOf(l) : 1;
    if (l.spatial()) {
      o.put("channels", new JsonObject().put("first", first).put("count", count));
    }
    o.put("output", maps(v.output(), pixels, c, first, count, e));
    if (v.preactivation() != null) {
      o.put("preactivation", maps(v.preactivation(), pixels, c, first, count, e));
    }
    return o;
  }

  /**
   * Channels {@code first .. first + count - 1} of {@code hwc} ({@code pixels} positions of {@code c} channels),
   * one map after another.
   */
  static JsonObject maps(float[] hwc, int pixels, int c, int first, int count, Encoding encoding) {
    ByteBuffer out = ByteBuffer.allocate(pixels * count * encoding.bytes).order(ByteOrder.LITTLE_ENDIAN);
    JsonArray mins = new JsonArray();
    JsonArray maxs = new JsonArray();
    for (int k = first; k < first + count; k++) {
      if (encoding == Encoding.FLOAT32) {
        for (int p = 0; p < pixels; p++) {
          out.putFloat(hwc[p * c + k]);
        }
        continue;
      }
      float min = Float.POSITIVE_INFINITY;
      float max = Float.NEGATIVE_INFINITY;
      for (int p = 0; p < pixels; p++) {
        min = Math.min(min, hwc[p * c + k]);
        max = Math.max(max, hwc[p * c + k]);
      }
      double scale = max > min ? 255.0 / ((double) max - min) : 0;
      for (int p = 0; p < pixels; p++) {
        out.put((byte) Math.round((hwc[p * c + k] - (double) min) * scale));
      }
      mins.add(min);
      maxs.add(max);
    }
    JsonObject o = new JsonObject().put("encoding", encoding.id())
        .put("data", Base64.getEncoder().encodeToString(out.array()));
    return encoding == Encoding.UINT8 ? o.put("min", mins).put("max", maxs) : o;
  }

  static JsonObject weights(VisualModel m, UnitWeights w, int top) {
    JsonObject o = new JsonObject().put("model", ResultJson.model(m)).put("layer", w.layer()).put("type", w.type())
        .put("unit", w.unit()).put("shape", ints(w.shape())).put("bias", w.bias());
    float[] v = w.weights();
    if (w.shape().length == 3) {  // [in][kh][kw]
      int kh = w.shape()[1];
      int kw = w.shape()[2];
      JsonArray kernel = new JsonArray();
      for (int c = 0; c < w.shape()[0]; c++) {
        JsonArray rows = new JsonArray();
        for (int i = 0; i < kh; i++) {
          JsonArray row = new JsonArray();
          for (int j = 0; j < kw; j++) {
            row.add(v[(c * kh + i) * kw + j]);
          }
          rows.add(row);
        }
        kernel.add(rows);
      }
      o.put("weights", kernel);
    } else {
      o.put("weights", ResultJson.floats(v));
    }
    List<Integer> order = new ArrayList<>(IntStream.range(0, v.length).boxed().toList());
    order.sort(Comparator.comparingDouble((Integer i) -> -Math.abs(v[i])).thenComparingInt(i -> i));
    JsonArray strongest = new JsonArray();
    for (int i : order.subList(0, Math.min(top, v.length))) {
      JsonObject s = new JsonObject().put("index", i).put("weight", v[i]);
      if (w.shape().length == 3) {
        int area = w.shape()[1] * w.shape()[2];
        s.put("position", new JsonArray().add(i / area).add(i % area / w.shape()[2]).add(i % w.shape()[2]));
      }
      strongest.add(s);
    }
    return o.put("strongest", strongest);
  }

  private static JsonArray ints(int[] values) {
    JsonArray a = new JsonArray();
    for (int v : values) {
      a.add(v);
    }
    return a;
  }
}
