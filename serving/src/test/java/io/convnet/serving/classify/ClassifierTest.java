package io.convnet.serving.classify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.convnet.bundle.BundleStore;
import io.convnet.bundle.BundleTestSupport;
import io.convnet.bundle.Manifest;
import io.convnet.image.TestImages;
import io.convnet.infer.Predictor;
import io.convnet.nn.Model;
import io.convnet.serving.batch.BatchMeters;
import io.convnet.serving.batch.Scored;
import io.convnet.serving.image.ModelInput;
import io.convnet.testing.TinyModels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tiny real bundle loaded for classification: the manifest's input, batching, the same answers as TensorFlow alone. */
class ClassifierTest {
  static final int SIZE = 16;

  @TempDir
  static Path tmp;
  static Path bundle;

  @BeforeAll
  static void publish() {
    BundleStore store = new BundleStore(tmp.resolve("models"));
    try (Model m = TinyModels.cnn(SIZE, 2).build(3)) {
      bundle = store.path("m", store.publish("m", m, BundleTestSupport.manifest("m", List.of("cat", "dog"))));
    }
  }

  static CompletableFuture<Scored> submit(Classifier c, float[] pixels) {
    CompletableFuture<Scored> f = new CompletableFuture<>();
    c.batcher().submit(pixels, null, (s, e) -> {
      if (e != null) {
        f.completeExceptionally(e);
      } else {
        f.complete(s);
      }
    });
    return f;
  }

  @Test
  void answersAsThePredictorDoesInBatchesOfTheImagesAnnounced() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    AtomicInteger images = new AtomicInteger();
    BatchMeters meters = onExecuted(n -> {
      calls.incrementAndGet();
      images.addAndGet(n);
    });
    try (ClassifierLoader loader = new ClassifierLoader(8, Duration.ofSeconds(5));
         Classifier c = loader.load(bundle, "m", 1, meters);
         Predictor p = Predictor.open(bundle)) {
      assertThat(c.labels()).containsExactly("cat", "dog");
      assertThat(c.input().floatsPerImage()).isEqualTo(SIZE * SIZE * 3);
      List<float[]> inputs = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        inputs.add(c.input().floats(TestImages.stripes(40, i % 2, i)));
      }
      c.batcher().expect(4);  // announced: the call waits for all four (up to 5 s), not for the first alone
      List<CompletableFuture<Scored>> answers = new ArrayList<>();
      for (float[] x : inputs) {
        answers.add(submit(c, x));
      }
      for (int i = 0; i < 4; i++) {
        Scored s = answers.get(i).get();
        float[] expected = p.predict(inputs.get(i), 1)[0];
        assertThat(s.probabilities()[1]).isCloseTo(expected[1], within(1e-5f));
        assertThat(s.batchSize()).isEqualTo(4);
      }
      assertThat(calls.get()).isEqualTo(1);
      assertThat(images.get()).isEqualTo(4);
    }
  }

  @Test
  void anAbandonedImageIsNotComputedAndSaysSo() throws Exception {
    AtomicInteger computed = new AtomicInteger();
    BatchMeters meters = onExecuted(computed::addAndGet);
    try (ClassifierLoader loader = new ClassifierLoader(8, Duration.ofSeconds(5));
         Classifier c = loader.load(bundle, "m", 1, meters)) {
      float[] x = c.input().floats(TestImages.stripes(40, 0, 0));
      c.batcher().expect(3);  // the call waits for all three announced
      CompletableFuture<Scored> wanted = submit(c, x);
      CompletableFuture<Scored> dropped = new CompletableFuture<>();
      c.batcher().submit(x, () -> true, null, (s, e) -> {  // e.g. the asker's deadline passed while it was decoded
        if (e != null) {
          dropped.completeExceptionally(e);
        } else {
          dropped.complete(s);
        }
      });
      CompletableFuture<Scored> last = submit(c, x);
      assertThat(wanted.get().batchSize()).isEqualTo(2);
      assertThat(last.get().batchSize()).isEqualTo(2);
      assertThatThrownBy(dropped::get).isInstanceOf(CancellationException.class)
          .hasMessageContaining("not computed: its request was abandoned");
      assertThat(computed.get()).isEqualTo(2);
    }
  }

  @Test
  void aClosedClassifierFailsWhatIsSubmittedInsteadOfHanging() throws Exception {
    try (ClassifierLoader loader = new ClassifierLoader(8, Duration.ofMillis(1))) {
      Classifier c = loader.load(bundle, "m", 1, BatchMeters.NONE);
      float[] x = c.input().floats(TestImages.stripes(40, 0, 0));
      c.close();
      c.batcher().expect(1);
      assertThatThrownBy(() -> submit(c, x).get()).hasMessageContaining("model m-v1 is unloaded");
    }
  }

  @Test
  void theManifestSaysWhatTheInputIs() throws Exception {
    Manifest m = io.convnet.util.Json.read(bundle.resolve("manifest.json"), Manifest.class);
    ModelInput input = ModelInput.of(m, "m/1");
    assertThat(input.preprocessing().height()).isEqualTo(SIZE);
    assertThat(input.preprocessing().mode().name()).isEqualTo("RESCALE");
    Manifest gray = new Manifest(m.formatVersion(), m.name(), m.version(), m.architecture(), m.createdAt(),
        new Manifest.Input(SIZE, SIZE, 1), null, m.labels(), m.output(), m.layers(), m.signatures(), m.metrics(),
        m.training(), m.tensorflowVersion());
    assertThatThrownBy(() -> ModelInput.of(gray, "m/1")).hasMessageContaining("bundle m/1")
        .hasMessageContaining("takes 1 input channels but its RESCALE preprocessing gives 3");
    Manifest digits = new Manifest(m.formatVersion(), m.name(), m.version(), m.architecture(), m.createdAt(),
        new Manifest.Input(32, 32, 1), new Manifest.Preprocessing("MNIST", 1 / 255.0), m.labels(), m.output(), m.layers(),
        m.signatures(), m.metrics(), m.training(), m.tensorflowVersion());
    assertThat(ModelInput.of(digits, "m/1").floatsPerImage()).isEqualTo(32 * 32);
  }

  /** Meters that hand the image count of each TensorFlow call to {@code executed}. */
  private static BatchMeters onExecuted(IntConsumer executed) {
    return new BatchMeters() {
      @Override
      public void queued(long nanos) {
      }

      @Override
      public void executed(int images, long computeNanos) {
        executed.accept(images);
      }
    };
  }
}
