package io.convnet.eval;

import io.convnet.data.Batch;
import io.convnet.data.BatchSource;
import io.convnet.infer.Predictor;
import io.convnet.nn.Tensors;
import java.util.Iterator;
import java.util.List;

/** Runs a bundle over a labelled set and computes accuracy, error, MSE, cross-entropy and the confusion matrix. */
public final class Evaluator {
  private static final double EPSILON = 1e-7;

  private Evaluator() {}

  public static EvaluationReport evaluate(Predictor predictor, BatchSource data) {
    List<String> labels = predictor.labels();
    if (!data.classNames().equals(labels)) {
      throw new IllegalArgumentException("the data's classes " + data.classNames() + " differ from the model's labels "
          + labels);
    }
    int k = labels.size();
    long[][] confusion = new long[k][k];
    double squared = 0;
    double crossEntropy = 0;
    int n = 0;
    long correct = 0;
    for (Iterator<Batch> it = data.epoch(0); it.hasNext(); ) {
      Batch b = it.next();
      float[][] p = predictor.predict(b.pixels(), b.size());
      for (int i = 0; i < b.size(); i++) {
        int truth = b.labels()[i];
        int predicted = Tensors.argmax(p[i]);
        confusion[truth][predicted]++;
        if (truth == predicted) {
          correct++;
        }
        for (int c = 0; c < k; c++) {
          double d = p[i][c] - (c == truth ? 1 : 0);
          squared += d * d;
        }
        crossEntropy -= Math.log(Math.min(1 - EPSILON, Math.max(EPSILON, p[i][truth])));
        n++;
      }
    }
    if (n == 0) {
      throw new IllegalArgumentException("no images to evaluate");
    }
    return new EvaluationReport(labels, n, (double) correct / n, squared / ((double) n * k), crossEntropy / n,
        confusion);
  }
}
