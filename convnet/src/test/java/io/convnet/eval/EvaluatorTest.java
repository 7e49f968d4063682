package io.convnet.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.convnet.bundle.BundleStore;
import io.convnet.bundle.BundleTestSupport;
import io.convnet.data.Batch;
import io.convnet.infer.Predictor;
import io.convnet.nn.Model;
import io.convnet.testing.SyntheticImages;
import io.convnet.testing.TinyModels;
import java.nio.file.Path;
import java.util.Iterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluatorTest {
  @TempDir
  Path tmp;

  @Test
  void metricsAgreeWithTheirDefinitions() {
    var data = new SyntheticImages(2, 10, 16, 8, 5, false);
    var store = new BundleStore(tmp);
    try (Model m = TinyModels.cnn(16, 2).build(21)) {
      store.publish("e", m, BundleTestSupport.manifest("e", java.util.List.of("class0", "class1")));
    }
    try (Predictor p = Predictor.open(store.latest("e"))) {
      EvaluationReport r = Evaluator.evaluate(p, data);
      double correct = 0;
      double sq = 0;
      double ce = 0;
      int n = 0;
      for (Iterator<Batch> it = data.epoch(0); it.hasNext(); ) {
        Batch b = it.next();
        float[][] probs = p.predict(b.pixels(), b.size());
        for (int i = 0; i < b.size(); i++) {
          int y = b.labels()[i];
          float q = probs[i][1];
          correct += ((q > 0.5f ? 1 : 0) == y) ? 1 : 0;
          sq += (q - y) * (q - y);
          ce -= Math.log(y == 1 ? q : 1 - q);
          n++;
        }
      }
      assertThat(r.images()).isEqualTo(20);
      assertThat(r.accuracy()).isCloseTo(correct / n, within(1e-9));
      assertThat(r.classificationError()).isCloseTo(1 - correct / n, within(1e-9));
      assertThat(r.meanSquaredError()).isCloseTo(sq / n, within(1e-6));
      assertThat(r.crossEntropy()).isCloseTo(ce / n, within(1e-5));
      assertThat(r.confusion()[0][0] + r.confusion()[1][1]).isEqualTo((long) correct);
      assertThat(r.confusion()[0][0] + r.confusion()[0][1]).isEqualTo(10);
      assertThat(r.format()).contains("confusion matrix", "class0", "class1");
      assertThatThrownBy(() -> Evaluator.evaluate(p, new SyntheticImages(3, 2, 16, 8, 1, false)))
          .hasMessageContaining("differ from the model's labels");
    }
  }
}
