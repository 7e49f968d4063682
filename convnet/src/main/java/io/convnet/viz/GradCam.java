package io.convnet.viz;

import io.convnet.image.RgbImage;
import java.util.List;

/**
 * Grad-CAM (Selvaraju et al. 2017): where in the image a conv layer found evidence for a class. The
 * class logit's gradient with respect to the layer's output, averaged over space, weights each channel;
 * the ReLU of the weighted sum of the channels is the map, upsampled (bilinear) to the input size.
 */
public final class GradCam {
  private GradCam() {}

  /** The last conv layer (Grad-CAM's usual choice). */
  public static String defaultLayer(VisualModel model) {
    List<String> conv = model.convLayers();
    if (conv.isEmpty()) {
      throw new IllegalArgumentException("model '" + model.name() + "' has no conv layer");
    }
    return conv.get(conv.size() - 1);
  }

  public static HeatMap compute(VisualModel model, RgbImage image, String label, String layer) {
    String l = layer == null || layer.isEmpty() ? defaultLayer(model) : layer;
    model.convLayer(l);
    RgbImage sized = model.preprocessing().resize(image);
    float[] x = model.preprocessing().apply(sized);
    float[] p = model.probabilities(x, 1)[0];
    int index = Saliency.resolveClass(model, label, p);
    LayerGradient.Result r = model.layerGradient(l, x, 1, model.classWeights(index));
    int h = (int) r.shape()[1];
    int w = (int) r.shape()[2];
    int c = (int) r.shape()[3];
    double[] alpha = new double[c];
    for (int i = 0; i < h * w; i++) {
      for (int k = 0; k < c; k++) {
        alpha[k] += r.gradient()[i * c + k];
      }
    }
    float[] cam = new float[h * w];
    float rawMax = 0;
    for (int i = 0; i < h * w; i++) {
      double s = 0;
      for (int k = 0; k < c; k++) {
        s += alpha[k] / (h * w) * r.activations()[i * c + k];
      }
      cam[i] = (float) Math.max(0, s);
      rawMax = Math.max(rawMax, cam[i]);
    }
    float[] up = ImageOps.resize(cam, w, h, model.width(), model.height());
    float[] map = new float[up.length];
    if (rawMax > 0) {
      for (int i = 0; i < up.length; i++) {
        map[i] = Math.max(0, Math.min(1, up[i] / rawMax));
      }
    }
    return new HeatMap("grad-cam " + l, model.labels().get(index), index, p[index], model.width(), model.height(),
        map, rawMax, sized, p);
  }
}
