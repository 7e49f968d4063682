package io.convnet.visualizer;

import io.convnet.viz.ActivationMaximization.FilterImage;
import io.convnet.viz.AscentOptions;
import io.convnet.viz.ClassVisualization.ClassImage;
import io.convnet.viz.ConvolutionExplainer;
import io.convnet.viz.FeatureMaps;
import io.convnet.viz.FilterGrid;
import io.convnet.viz.HeatMap;
import io.convnet.viz.LossExplainer;
import io.convnet.viz.NaturalMaxima;
import io.convnet.viz.Rendering;
import io.convnet.viz.VisualModel;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.List;

/** The JSON answers (what {@code Accept: application/json} gets); non-finite numbers become null. */
final class ResultJson {
  private ResultJson() {}

  static JsonObject model(VisualModel m) {
    return new JsonObject().put("name", m.name()).put("version", m.version());
  }

  static Object number(double v) {
    return Double.isFinite(v) ? v : null;
  }

  static JsonArray floats(float[] v) {
    JsonArray a = new JsonArray();
    for (float f : v) {
      a.add(Float.isFinite(f) ? f : null);
    }
    return a;
  }

  /** A row-major {@code height x width} array as rows. */
  static JsonArray rows(float[] v, int width, int height) {
    JsonArray out = new JsonArray();
    for (int y = 0; y < height; y++) {
      JsonArray row = new JsonArray();
      for (int x = 0; x < width; x++) {
        row.add(v[y * width + x]);
      }
      out.add(row);
    }
    return out;
  }

  static JsonArray matrix(double[][] m) {
    JsonArray out = new JsonArray();
    for (double[] r : m) {
      JsonArray row = new JsonArray();
      for (double v : r) {
        row.add(number(v));
      }
      out.add(row);
    }
    return out;
  }

  static JsonObject featureMaps(VisualModel m, FeatureMaps.Result r) {
    JsonArray layers = new JsonArray();
    for (FeatureMaps.LayerMaps l : r.layers()) {
      JsonArray shown = new JsonArray();
      for (FeatureMaps.Channel c : l.shown()) {
        shown.add(new JsonObject().put("channel", c.index()).put("min", c.min()).put("max", c.max())
            .put("mean", c.mean()).put("values", rows(c.values(), l.width(), l.height())));
      }
      layers.add(new JsonObject().put("layer", l.layer()).put("type", l.type()).put("height", l.height())
          .put("width", l.width()).put("channels", l.channels()).put("shown", shown));
    }
    return new JsonObject().put("model", model(m)).put("labels", new JsonArray(m.labels()))
        .put("probabilities", floats(r.probabilities())).put("layers", layers);
  }

  static JsonObject heatMap(VisualModel m, HeatMap h, String layer) {
    JsonObject o = new JsonObject().put("model", model(m)).put("method", h.method().startsWith("grad-cam")
            ? "grad-cam" : h.method());
    if (layer != null) {
      o.put("layer", layer);
    }
    return o.put("label", h.label()).put("classIndex", h.index()).put("probability", number(h.probability()))
        .put("labels", new JsonArray(m.labels())).put("probabilities", floats(h.probabilities()))
        .put("width", h.width()).put("height", h.height()).put("rawMax", number(h.rawMax()))
        .put("map", rows(h.map(), h.width(), h.height()));
  }

  static JsonObject options(AscentOptions o) {
    return new JsonObject().put("steps", o.steps()).put("stepSize", o.stepSize()).put("jitter", o.jitter())
        .put("l2Decay", o.l2Decay()).put("blurEvery", o.blurEvery()).put("blurSigma", o.blurSigma())
        .put("totalVariation", o.totalVariation()).put("noise", o.noise()).put("seed", o.seed());
  }

  static JsonObject filters(VisualModel m, AscentOptions o, List<FilterImage> images, NaturalMaxima natural) {
    JsonArray out = new JsonArray();
    for (FilterImage f : images) {
      double nat = natural == null ? Double.NaN : natural.max(f.layer(), f.filter());
      double ratio = FilterGrid.ratio(f.reached(), nat);
      out.add(new JsonObject().put("layer", f.layer()).put("filter", f.filter()).put("reached", number(f.reached()))
          .put("naturalMax", number(nat)).put("ratio", number(ratio))
          .put("neverFiresNaturally", Double.isInfinite(ratio))
          .put("preactivation", f.preactivation())
          .put("png", Base64.getEncoder().encodeToString(Rendering.png(f.image().toBufferedImage()))));
    }
    JsonObject nm = natural == null ? null : new JsonObject().put("source", natural.source())
        .put("images", natural.images());
    return new JsonObject().put("model", model(m)).put("kind", "filters").put("options", options(o))
        .put("naturalMaxima", nm).put("filters", out);
  }

  static JsonObject classImage(VisualModel m, AscentOptions o, ClassImage c) {
    return new JsonObject().put("model", model(m)).put("kind", "class").put("options", options(o))
        .put("label", c.label()).put("classIndex", c.index()).put("logit", number(c.logit()))
        .put("probability", number(c.probability()))
        .put("png", Base64.getEncoder().encodeToString(Rendering.png(c.image().toBufferedImage())));
  }

  static JsonObject convolution(ConvolutionExplainer.Explanation e, double[][] input, String inputKind) {
    var k = e.kernel();
    return new JsonObject()
        .put("input", new JsonObject().put("kind", inputKind).put("rows", input.length).put("cols", input[0].length)
            .put("values", matrix(input)))
        .put("kernel", new JsonObject().put("name", k.name()).put("weights", matrix(k.weights()))
            .put("divisor", k.divisor()))
        .put("stride", e.stride()).put("padding", e.padding().id())
        .put("pads", new JsonObject().put("top", e.pads().top()).put("bottom", e.pads().bottom())
            .put("left", e.pads().left()).put("right", e.pads().right()))
        .put("featureMap", matrix(e.featureMap())).put("rectified", matrix(e.rectified()))
        .put("pooled", matrix(e.pooled()))
        .put("pooling", "2x2 max, stride 2, ceil mode (windows over the border take the max of what they cover), "
            + "on the rectified map");
  }

  static JsonObject loss(LossExplainer.Explanation e) {
    JsonArray rows = new JsonArray();
    for (LossExplainer.Row r : e.perRow()) {
      rows.add(new JsonObject().put("predictedClass", r.predictedClass()).put("labelledClass", r.labelledClass())
          .put("correct", r.correct()).put("squaredError", r.squaredError())
          .put("crossEntropy", number(r.crossEntropy())));
    }
    return new JsonObject().put("rows", e.rows()).put("classes", e.classes())
        .put("classificationError", e.classificationError()).put("wrong", e.wrong())
        .put("meanSquaredError", e.meanSquaredError()).put("meanSquaredErrorPerValue", e.meanSquaredErrorPerValue())
        .put("crossEntropy", number(e.crossEntropy())).put("crossEntropyInfinite", e.infinite())
        .put("perRow", rows)
        .put("definitions", new JsonObject()
            .put("classificationError", "rows whose most probable class (first on ties) is not the labelled one / rows")
            .put("meanSquaredError", "mean over rows of the sum over classes of (p - y)^2")
            .put("meanSquaredErrorPerValue", "mean over rows and classes of (p - y)^2 (Keras mse)")
            .put("crossEntropy", "mean over rows of -ln p(labelled class)"));
  }
}
