package io.convnet.visualizer;

import com.google.protobuf.ByteString;
import io.convnet.image.RgbImage;
import io.convnet.proto.ModelRef;
import io.convnet.proto.VisualizeReply;
import io.convnet.proto.VisualizeRequest;
import io.convnet.serving.cache.Lease;
import io.convnet.serving.cache.ModelCache;
import io.convnet.serving.image.RequestImages;
import io.convnet.viz.ConvolutionExplainer;
import io.convnet.viz.FeatureMaps;
import io.convnet.viz.GradCam;
import io.convnet.viz.HeatMap;
import io.convnet.viz.Kernel;
import io.convnet.viz.LossExplainer;
import io.convnet.viz.Rendering;
import io.convnet.viz.Saliency;
import io.convnet.viz.VisualModel;
import java.util.Locale;

/** The synchronous kinds, each a blocking call (run on the worker pool): PNG, or JSON when asked. */
final class SyncVisualizations {
  /** A PNG larger than a tile this size is not useful; maps above it are shown at 1x. */
  private static final int HEAT_SCALE_UP_TO = 300;

  private final ModelCache<VisualVersion> models;
  private final RequestImages images;

  SyncVisualizations(ModelCache<VisualVersion> models, RequestImages images) {
    this.models = models;
    this.images = images;
  }

  VisualizeReply featureMaps(VisualizeRequest r) {
    var fm = r.getFeatureMaps();
    try (Lease<VisualVersion> lease = models.acquireBlocking(r.getModel().getName(), r.getModel().getVersion())) {
      VisualModel m = lease.model().visual();
      RgbImage image = Requests.image(r.getImage(), images, m.width(), m.height());
      int channels = fm.getChannels() == 0 ? FeatureMaps.DEFAULT_CHANNELS : fm.getChannels();
      FeatureMaps.Result result = FeatureMaps.compute(m, image, fm.getLayersList(), channels);
      if (r.getWantJson()) {
        return json(m, ResultJson.featureMaps(m, result).encode());
      }
      int tile = Math.max(64, Math.min(160, m.width()));
      return png(m, Rendering.png(FeatureMaps.render(String.format(Locale.ROOT, "%s v%d: feature maps%s", m.name(),
          m.version(), caption(r)), result, tile)));
    }
  }

  VisualizeReply saliency(VisualizeRequest r) {
    var s = r.getSaliency();
    try (Lease<VisualVersion> lease = models.acquireBlocking(r.getModel().getName(), r.getModel().getVersion())) {
      VisualModel m = lease.model().visual();
      RgbImage image = Requests.image(r.getImage(), images, m.width(), m.height());
      HeatMap map = s.getSmooth()
          ? Saliency.smoothGrad(m, image, s.getLabel(), s.getSamples() == 0 ? Saliency.DEFAULT_SAMPLES : s.getSamples(),
              s.hasNoise() ? s.getNoise() : Saliency.DEFAULT_NOISE, 1)
          : Saliency.vanilla(m, image, s.getLabel());
      return heat(r, m, map, null);
    }
  }

  VisualizeReply gradCam(VisualizeRequest r) {
    var g = r.getGradCam();
    try (Lease<VisualVersion> lease = models.acquireBlocking(r.getModel().getName(), r.getModel().getVersion())) {
      VisualModel m = lease.model().visual();
      RgbImage image = Requests.image(r.getImage(), images, m.width(), m.height());
      String layer = g.getLayer().isEmpty() ? GradCam.defaultLayer(m) : g.getLayer();
      return heat(r, m, GradCam.compute(m, image, g.getLabel(), layer), layer);
    }
  }

  private VisualizeReply heat(VisualizeRequest r, VisualModel m, HeatMap map, String layer) {
    if (r.getWantJson()) {
      return json(m, ResultJson.heatMap(m, map, layer).encode());
    }
    int scale = Math.max(1, HEAT_SCALE_UP_TO / Math.max(m.width(), m.height()));
    return png(m, Rendering.png(map.render(m.name() + " v" + m.version() + caption(r), scale)));
  }

  VisualizeReply convolution(VisualizeRequest r) {
    var c = r.getConvolution();
    Kernel kernel;
    if (c.hasCustomKernel()) {
      kernel = Kernel.custom(Requests.matrix(c.getCustomKernel(), "kernel"));
    } else {
      kernel = Kernel.named(c.getKernel().isEmpty() ? "identity" : c.getKernel());
    }
    int stride = c.getStride() == 0 ? 1 : c.getStride();
    ConvolutionExplainer.Padding padding = ConvolutionExplainer.Padding.parse(c.getPadding());
    double[][] input;
    ConvolutionExplainer.Explanation e;
    String kind;
    if (c.hasInput()) {
      input = Requests.matrix(c.getInput(), "input");
      e = ConvolutionExplainer.explain(input, kernel, stride, padding);
      kind = "matrix";
    } else {
      RgbImage image = Requests.image(r.getImage(), images, 0, 0);
      var ie = ConvolutionExplainer.explainImage(image, kernel, stride, padding);
      input = ie.luma();
      e = ie.explanation();
      kind = "image luma (0.299 R + 0.587 G + 0.114 B)";
    }
    if (r.getWantJson()) {
      return VisualizeReply.newBuilder().setJson(ResultJson.convolution(e, input, kind).encode()).build();
    }
    return VisualizeReply.newBuilder().setPng(ByteString.copyFrom(Rendering.png(
        ConvolutionExplainer.render("convolution explainer", input, e)))).build();
  }

  VisualizeReply loss(VisualizeRequest r) {
    var l = r.getLoss();
    if (!l.hasPredicted() || !l.hasLabels()) {
      throw Failures.invalid("give both 'predicted' (probabilities) and 'labels' (one-hot), one row per example");
    }
    LossExplainer.Explanation e = LossExplainer.explain(Requests.matrix(l.getPredicted(), "predicted matrix"),
        Requests.matrix(l.getLabels(), "labels matrix"));
    return VisualizeReply.newBuilder().setJson(ResultJson.loss(e).encode()).build();
  }

  private static String caption(VisualizeRequest r) {
    String name = r.getImage().getName();
    return name.isEmpty() ? "" : " of " + name;
  }

  static ModelRef ref(VisualModel m) {
    return ModelRef.newBuilder().setName(m.name()).setVersion(m.version()).build();
  }

  private static VisualizeReply json(VisualModel m, String json) {
    return VisualizeReply.newBuilder().setModel(ref(m)).setJson(json).build();
  }

  private static VisualizeReply png(VisualModel m, byte[] png) {
    return VisualizeReply.newBuilder().setModel(ref(m)).setPng(ByteString.copyFrom(png)).build();
  }
}
