package io.convnet.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.convnet.nn.Activation;
import io.convnet.nn.OutputHead;
import io.convnet.nn.Tensors;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** The training loss against cross-entropy written out by hand, with and without label smoothing. */
class LossesTest {
  private static final float[][] LOGITS = {{2f, 0f, -1f}, {0.5f, 1.5f, 0f}};
  private static final int[] LABELS = {0, 2};

  @Test
  void softmaxTargetsMoveTowardsUniformAsKerasLabelSmoothingMovesThem() {
    OutputHead head = new OutputHead(Activation.SOFTMAX, 3);
    assertThat(loss(head, LOGITS, LABELS, 0)).isCloseTo(softmaxByHand(0), within(1e-5));
    assertThat(loss(head, LOGITS, LABELS, 0.1)).isCloseTo(softmaxByHand(0.1), within(1e-5));
    assertThat(softmaxByHand(0.1)).as("a real difference, not rounding").isGreaterThan(softmaxByHand(0) + 0.01);
  }

  @Test
  void aSigmoidsTargetsMoveTowardsOneHalf() {
    OutputHead head = new OutputHead(Activation.SIGMOID, 2);
    float[][] logits = {{1.5f}, {-0.5f}};
    int[] labels = {1, 0};
    double s = 0.2;
    double byHand = 0;
    for (int i = 0; i < labels.length; i++) {
      double p = 1 / (1 + Math.exp(-logits[i][0]));
      double z = labels[i] * (1 - s) + s / 2;
      byHand -= (z * Math.log(p) + (1 - z) * Math.log(1 - p)) / labels.length;
    }
    assertThat(loss(head, logits, labels, s)).isCloseTo(byHand, within(1e-5));
  }

  /** Mean of {@code -sum_k t_k log softmax(x)_k}, targets {@code 1 - s + s / K} and {@code s / K}. */
  private static double softmaxByHand(double s) {
    double total = 0;
    for (int i = 0; i < LABELS.length; i++) {
      double[] x = {LOGITS[i][0], LOGITS[i][1], LOGITS[i][2]};
      double norm = Math.log(Math.exp(x[0]) + Math.exp(x[1]) + Math.exp(x[2]));
      for (int k = 0; k < 3; k++) {
        double t = (k == LABELS[i] ? 1 - s : 0) + s / 3;
        total -= t * (x[k] - norm);
      }
    }
    return total / LABELS.length;
  }

  private static double loss(OutputHead head, float[][] logits, int[] labels, double smoothing) {
    try (Graph g = new Graph(); Session session = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> loss = Losses.crossEntropy(tf, head, tf.constant(logits), tf.constant(labels), smoothing);
      try (Result r = session.runner().fetch(loss).run()) {
        return Tensors.scalar((TFloat32) r.get(0));
      }
    }
  }
}
