package io.convnet.infer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convnet.bundle.BundleStore;
import io.convnet.bundle.BundleTestSupport;
import io.convnet.nn.Model;
import io.convnet.testing.SyntheticImages;
import io.convnet.testing.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictorTest {
  @TempDir
  Path tmp;

  private Path bundle() {
    var store = new BundleStore(tmp);
    try (Model m = TinyModels.cnn(16, 2).build(31)) {
      store.publish("p", m, BundleTestSupport.manifest("p", List.of("cat", "dog")));
    }
    return store.latest("p");
  }

  @Test
  void manyThreadsGetTheSameAnswersAndCloseStopsLaterCalls() throws Exception {
    float[] images = SyntheticImages.binary(4, 16, 8, 1).allPixels(8);
    Predictor p = Predictor.open(bundle());
    float[][] expected = p.predict(images, 8);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<float[][]>> results = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        results.add(pool.submit(() -> p.predict(images, 8)));
      }
      for (Future<float[][]> f : results) {
        assertThat(f.get()).isDeepEqualTo(expected);
      }
    } finally {
      pool.shutdown();
    }
    p.close();
    assertThatThrownBy(() -> p.predict(images, 1)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> Predictor.open(tmp.resolve("nothing"))).hasMessageContaining("not a model bundle");
  }

  @Test
  void repeatedPredictionsDoNotGrowNativeMemory() throws Exception {
    float[] images = SyntheticImages.binary(1, 16, 1, 1).allPixels(1);
    try (Predictor p = Predictor.open(bundle())) {
      for (int i = 0; i < 500; i++) {
        p.predict(images, 1);
      }
      long before = rssKb();
      for (int i = 0; i < 5000; i++) {
        p.predict(images, 1);
        p.activations(images, 1, "conv_1");
      }
      long growthMb = (rssKb() - before) / 1024;
      // a leaked Tensor/Result costs about 0.3 MB per call: 10000 calls would add gigabytes
      assertThat(growthMb).as("RSS growth in MB").isLessThan(100);
    }
  }

  private static long rssKb() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return 0;
  }
}
