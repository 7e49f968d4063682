package io.convnet.viz;

import io.convnet.image.RgbImage;
import io.convnet.nn.GraphNames;
import java.util.List;

/**
 * What the network thinks a class looks like: the same ascent as {@link ActivationMaximization} on the
 * class's logit (before the sigmoid or softmax). For a single sigmoid unit the logit scores labels[1]
 * and its negative labels[0] ("dog" is the logit, "cat" its negative).
 */
public final class ClassVisualization {
  private ClassVisualization() {}

  /**
   * @param logit the class score reached (the logit, or its negative for a sigmoid's labels[0])
   * @param probability the class probability the model gives the image
   */
  public record ClassImage(String label, int index, RgbImage image, double logit, double probability) {}

  public static ClassImage visualize(VisualModel model, String label, AscentOptions options,
      AscentProgress progress) {
    int index = model.classIndex(label);
    float[] w = model.classWeights(index);
    GradientAscent.Target target = new GradientAscent.Target() {
      @Override
      public List<String> tensors() {
        return List.of(GraphNames.LOGITS);
      }

      @Override
      public List<float[]> weights(int step, int steps, float[] last) {
        return List.of(w);
      }

      @Override
      public float[] scores(List<float[]> means) {
        float s = 0;
        for (int k = 0; k < w.length; k++) {
          s += w[k] * means.get(0)[k];
        }
        return new float[] {s};
      }
    };
    GradientAscent.Outcome outcome = GradientAscent.run(model, target, new long[] {index}, options, progress, 0,
        options.steps());
    float[][] p = model.probabilities(outcome.images(), 1);
    RgbImage image = model.preprocessing().toImage(outcome.images(), 0);
    return new ClassImage(label, index, image, outcome.scores()[0], p[0][index]);
  }
}
