package io.convnet.eval;

import java.util.List;
import java.util.Locale;

/**
 * A model's figures on a labelled set.
 *
 * @param meanSquaredError mean over images and classes of (p - onehot)^2 (for a binary model: (p - y)^2)
 * @param crossEntropy mean of -log p(true class), p clipped at 1e-7 as Keras does
 * @param confusion rows = true class, columns = predicted class
 */
public record EvaluationReport(List<String> labels, int images, double accuracy, double meanSquaredError,
    double crossEntropy, long[][] confusion) {

  public double classificationError() {
    return 1 - accuracy;
  }

  public String format() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "images               %d%n", images));
    sb.append(String.format(Locale.ROOT, "accuracy             %.4f%n", accuracy));
    sb.append(String.format(Locale.ROOT, "classification error %.4f%n", classificationError()));
    sb.append(String.format(Locale.ROOT, "mean squared error   %.4f%n", meanSquaredError));
    sb.append(String.format(Locale.ROOT, "cross-entropy        %.4f%n", crossEntropy));
    sb.append("confusion matrix (rows: true, columns: predicted)\n");
    int w = Math.max(8, labels.stream().mapToInt(String::length).max().orElse(8) + 2);
    sb.append(" ".repeat(w));
    for (String l : labels) {
      sb.append(String.format(Locale.ROOT, "%" + w + "s", l));
    }
    sb.append('\n');
    for (int i = 0; i < labels.size(); i++) {
      sb.append(String.format(Locale.ROOT, "%-" + w + "s", labels.get(i)));
      for (long c : confusion[i]) {
        sb.append(String.format(Locale.ROOT, "%" + w + "d", c));
      }
      sb.append('\n');
    }
    return sb.toString();
  }
}
