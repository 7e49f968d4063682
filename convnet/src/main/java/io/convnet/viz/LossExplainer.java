package io.convnet.viz;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * The loss explainer: for a few rows of predicted probabilities and one-hot labels, the three measures
 * the tutorials compare (J. McCaffrey, "Why You Should Use Cross-Entropy Error Instead Of
 * Classification Error Or Mean Squared Error For Neural Network Classifier Training"):
 *
 * <ul>
 *   <li>classification error: the fraction of rows whose most probable class (the first on ties) is
 *       not the labelled one;
 *   <li>mean squared error: per row the sum over classes of {@code (p - y)^2}, averaged over rows (the
 *       tutorial's definition); {@code meanSquaredErrorPerValue} is Keras' {@code mse}, the same divided
 *       by the number of classes;
 *   <li>cross-entropy: per row {@code -ln p(labelled class)}, averaged over rows (natural log). A
 *       labelled class predicted with probability 0 has infinite cross-entropy; it is reported as
 *       {@code null} (JSON has no infinity) with {@code infinite = true}.
 * </ul>
 *
 * Squared errors are summed exactly and rounded once; logarithms are {@link Math#log} (within 1 ulp).
 * Probabilities must lie in [0, 1] and each row must sum to 1 (within 1e-6); labels must be one-hot.
 */
public final class LossExplainer {
  public static final int MAX_ROWS = 10_000;
  public static final int MAX_CLASSES = 1_000;
  private static final double SUM_TOLERANCE = 1e-6;

  private LossExplainer() {}

  /** One row: its predicted and labelled class, and its share of each measure. */
  public record Row(int predictedClass, int labelledClass, boolean correct, double squaredError,
      double crossEntropy) {}

  public record Explanation(int rows, int classes, double classificationError, int wrong,
      double meanSquaredError, double meanSquaredErrorPerValue, double crossEntropy, List<Row> perRow) {
    /** True when some labelled class has probability 0: cross-entropy is then infinite. */
    public boolean infinite() {
      return Double.isInfinite(crossEntropy);
    }
  }

  public static Explanation explain(double[][] predicted, double[][] labels) {
    Matrices.requireRectangular(predicted, "predicted matrix");
    Matrices.requireRectangular(labels, "labels matrix");
    int n = predicted.length;
    int k = predicted[0].length;
    if (labels.length != n || labels[0].length != k) {
      throw new IllegalArgumentException("predicted is " + n + "x" + k + " but labels is " + labels.length + "x"
          + labels[0].length + "; they must have the same shape (one row per example, one column per class)");
    }
    if (n > MAX_ROWS || k > MAX_CLASSES) {
      throw new IllegalArgumentException("at most " + MAX_ROWS + " rows and " + MAX_CLASSES + " classes");
    }
    if (k < 2) {
      throw new IllegalArgumentException("give at least 2 classes (columns); for a sigmoid output use (1 - p, p)");
    }
    List<Row> rows = new ArrayList<>(n);
    int wrong = 0;
    BigDecimal squared = BigDecimal.ZERO;
    double entropy = 0;
    for (int i = 0; i < n; i++) {
      int label = checkRow(predicted[i], labels[i], i);
      int argmax = 0;
      BigDecimal sum = BigDecimal.ZERO;
      for (int c = 0; c < k; c++) {
        if (predicted[i][c] > predicted[i][argmax]) {
          argmax = c;
        }
        BigDecimal d = Exact.of(predicted[i][c]).subtract(Exact.of(labels[i][c]));
        sum = sum.add(d.multiply(d));
      }
      double ce = -Math.log(predicted[i][label]);
      boolean correct = argmax == label;
      wrong += correct ? 0 : 1;
      squared = squared.add(sum);
      entropy += ce;
      rows.add(new Row(argmax, label, correct, sum.doubleValue(), ce == 0 ? 0.0 : ce));
    }
    return new Explanation(n, k, (double) wrong / n, wrong, Exact.toDouble(squared, n),
        Exact.toDouble(squared, n * k), entropy / n, List.copyOf(rows));
  }

  /** Checks one row; returns the labelled class. */
  private static int checkRow(double[] p, double[] y, int i) {
    double sum = 0;
    for (int c = 0; c < p.length; c++) {
      if (p[c] < 0 || p[c] > 1) {
        throw new IllegalArgumentException("predicted[" + i + "][" + c + "] = " + p[c]
            + " is not a probability (0..1)");
      }
      sum += p[c];
    }
    if (Math.abs(sum - 1) > SUM_TOLERANCE) {
      throw new IllegalArgumentException("predicted row " + i + " sums to " + sum
          + ", not 1: give probabilities (e.g. softmax outputs)");
    }
    int label = -1;
    for (int c = 0; c < y.length; c++) {
      if (y[c] == 1) {
        if (label >= 0) {
          throw new IllegalArgumentException("labels row " + i + " has more than one 1: labels must be one-hot");
        }
        label = c;
      } else if (y[c] != 0) {
        throw new IllegalArgumentException("labels[" + i + "][" + c + "] = " + y[c]
            + ": labels must be one-hot (0s and a single 1 per row)");
      }
    }
    if (label < 0) {
      throw new IllegalArgumentException("labels row " + i + " has no 1: labels must be one-hot");
    }
    return label;
  }
}
