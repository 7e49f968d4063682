package io.convnet.viz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.convnet.viz.LossExplainer.Explanation;
import org.junit.jupiter.api.Test;

class LossExplainerTest {

  @Test
  void theTutorialsTwoNetworksHaveTheSameErrorButDifferentMseAndCrossEntropy() {
    double[][] labels = {{0, 0, 1}, {0, 1, 0}, {1, 0, 0}};
    Explanation first = LossExplainer.explain(new double[][] {{0.3, 0.3, 0.4}, {0.3, 0.4, 0.3}, {0.1, 0.2, 0.7}},
        labels);
    Explanation second = LossExplainer.explain(new double[][] {{0.1, 0.2, 0.7}, {0.1, 0.7, 0.2}, {0.3, 0.4, 0.3}},
        labels);
    assertThat(first.classificationError()).isEqualTo(1 / 3.0);
    assertThat(second.classificationError()).isEqualTo(1 / 3.0);
    assertThat(first.wrong()).isEqualTo(1);
    // (0.54 + 0.54 + 1.34) / 3 and (0.14 + 0.14 + 0.74) / 3
    assertThat(first.meanSquaredError()).isCloseTo(2.42 / 3, within(1e-15));
    assertThat(second.meanSquaredError()).isCloseTo(1.02 / 3, within(1e-15));
    assertThat(first.meanSquaredErrorPerValue()).isCloseTo(2.42 / 9, within(1e-15));
    // -(ln 0.4 + ln 0.4 + ln 0.1) / 3 = 1.3783 and -(ln 0.7 + ln 0.7 + ln 0.3) / 3 = 0.6391
    assertThat(first.crossEntropy()).isCloseTo(-(2 * Math.log(0.4) + Math.log(0.1)) / 3, within(1e-15));
    assertThat(first.crossEntropy()).isCloseTo(1.3783, within(1e-4));
    assertThat(second.crossEntropy()).isCloseTo(0.6391, within(1e-4));
    assertThat(first.perRow().get(2).correct()).isFalse();
    assertThat(first.perRow().get(0).squaredError()).isCloseTo(0.54, within(1e-15));
  }

  @Test
  void dyadicProbabilitiesGiveExactNumbers() {
    Explanation e = LossExplainer.explain(new double[][] {{0.25, 0.75}, {0.5, 0.5}, {1, 0}},
        new double[][] {{0, 1}, {1, 0}, {0, 1}});
    // squared errors 0.125, 0.5, 2
    assertThat(e.meanSquaredError()).isEqualTo(2.625 / 3);
    assertThat(e.meanSquaredErrorPerValue()).isEqualTo(2.625 / 6);
    assertThat(e.perRow().get(1).correct()).isTrue();  // a tie goes to the first class
    assertThat(e.classificationError()).isEqualTo(1 / 3.0);
    assertThat(e.infinite()).isTrue();  // the last row gives the labelled class probability 0
    assertThat(e.perRow().get(0).crossEntropy()).isEqualTo(-Math.log(0.75));
  }

  @Test
  void badInputIsRefusedWithAClearMessage() {
    assertThatThrownBy(() -> LossExplainer.explain(new double[][] {{0.5, 0.5}}, new double[][] {{1, 0}, {0, 1}}))
        .hasMessageContaining("same shape");
    assertThatThrownBy(() -> LossExplainer.explain(new double[][] {{0.5, 0.6}}, new double[][] {{1, 0}}))
        .hasMessageContaining("sums to 1.1");
    assertThatThrownBy(() -> LossExplainer.explain(new double[][] {{1.5, -0.5}}, new double[][] {{1, 0}}))
        .hasMessageContaining("not a probability");
    assertThatThrownBy(() -> LossExplainer.explain(new double[][] {{0.5, 0.5}}, new double[][] {{1, 1}}))
        .hasMessageContaining("more than one 1");
    assertThatThrownBy(() -> LossExplainer.explain(new double[][] {{0.5, 0.5}}, new double[][] {{0.5, 0.5}}))
        .hasMessageContaining("one-hot");
    assertThatThrownBy(() -> LossExplainer.explain(new double[][] {{0.5, 0.5}, {1}}, new double[][] {{1, 0}}))
        .hasMessageContaining("not a matrix");
  }
}
