package io.convnet.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.convnet.infer.Predictor;
import io.convnet.nn.Model;
import io.convnet.testing.SyntheticImages;
import io.convnet.testing.TinyModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

class BundleTest {
  static final int SIZE = 16;

  @TempDir
  Path tmp;

  static Manifest template(String name) {
    return new Manifest(Manifest.FORMAT_VERSION, name, 0, "test-cnn", "2026-01-01T00:00:00Z", null,
        new Manifest.Preprocessing("RESCALE", 1 / 255.0), List.of("cat", "dog"), null, null, null,
        new Manifest.Metrics(0.5, 0.8, 0.6, 0.7, 3, 4), Map.of("optimizer", "rmsprop"), null);
  }

  @Test
  void publishedBundleGivesTheSamePredictionsAndDescribesTheModel() {
    var store = new BundleStore(tmp.resolve("models"));
    float[] images = SyntheticImages.binary(4, SIZE, 4, 3).allPixels(5);
    float[][] expected;
    try (Model m = TinyModels.cnn(SIZE, 2).build(11)) {
      expected = m.predict(images, 5);
      assertThat(store.publish("cats-vs-dogs", m, template("cats-vs-dogs"))).isEqualTo(1);
      assertThat(store.publish("cats-vs-dogs", m, template("cats-vs-dogs"))).isEqualTo(2);
    }
    assertThat(store.versions("cats-vs-dogs")).containsExactly(1, 2);
    assertThat(store.models()).containsExactly("cats-vs-dogs");
    Path dir = store.latest("cats-vs-dogs");
    assertThat(dir).endsWith(Path.of("cats-vs-dogs", "2"));
    assertThat(dir.resolve("saved_model.pb")).exists();
    try (Predictor p = Predictor.open(dir)) {
      Manifest mf = p.manifest();
      assertThat(mf.version()).isEqualTo(2);
      assertThat(mf.input()).isEqualTo(new Manifest.Input(SIZE, SIZE, 3));
      assertThat(mf.output()).isEqualTo(new Manifest.Output("sigmoid", 2));
      assertThat(mf.convLayers()).containsExactly("conv_1", "conv_2");
      assertThat(mf.layers()).extracting(Manifest.LayerEntry::name).contains("maxpool_1", "flatten", "output");
      assertThat(mf.signatures()).containsKeys(Signatures.SERVING, Signatures.LOGITS, Signatures.ACTIVATIONS);
      assertThat(mf.signatures().get(Signatures.ACTIVATIONS).outputs()).containsKeys("conv_1", "conv_1_preact",
          "maxpool_2", "dense_1");
      assertThat(mf.tensorflowVersion()).isNotBlank();
      float[][] got = p.predict(images, 5);
      for (int i = 0; i < 5; i++) {
        assertThat(got[i][1]).isCloseTo(expected[i][1], within(1e-6f));
      }
      var acts = p.activations(images, 2, "conv_1", "conv_2_preact", "maxpool_2");
      assertThat(acts.get("conv_1").shape()).containsExactly(2, SIZE, SIZE, 8);
      assertThat(acts.get("maxpool_2").shape()).containsExactly(2, 4, 4, 8);
      assertThat(p.logits(images, 1)[0]).hasSize(1);
      assertThatThrownBy(() -> p.activations(images, 1, "conv_9")).hasMessageContaining("no tensor 'conv_9'");
    }
    String json = readString(dir.resolve("manifest.json"));
    assertThat(json).contains("\"val_accuracy\"", "\"best_epoch\"", "\"formatVersion\" : 1");
  }

  @Test
  void aFailedWriteLeavesNoVersionAndAbandonedTempsAreRemoved() throws IOException {
    var store = new BundleStore(tmp.resolve("models"));
    assertThatThrownBy(() -> store.publish("m", (dir, v) -> {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("saved_model.pb"), "half");
      throw new IOException("disk full");
    })).hasMessageContaining("cannot publish");
    Path modelDir = tmp.resolve("models/m");
    try (var s = Files.list(modelDir)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly(".lock");
    }
    // what a killed writer (dead pid) leaves behind
    Files.createDirectories(modelDir.resolve(".tmp-999999999-abc/variables"));
    // a version directory without a manifest is not a version
    Files.createDirectories(modelDir.resolve("1"));
    assertThat(store.versions("m")).isEmpty();
    assertThatThrownBy(() -> store.latest("m")).hasMessageContaining("model 'm' has no version");
    int v = store.publish("m", (dir, version) -> {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("manifest.json"), "{}");
    });
    assertThat(v).isEqualTo(2); // never overwrites the incomplete "1"
    assertThat(modelDir.resolve(".tmp-999999999-abc")).doesNotExist();
    assertThatThrownBy(() -> store.versions("../etc")).hasMessageContaining("invalid model name");
  }

  @Test
  void aFreshJvmGetsTheSamePredictionsAndGradientsWorkOnTheLoadedGraph() throws Exception {
    var store = new BundleStore(tmp.resolve("models"));
    float[] images = SyntheticImages.binary(2, SIZE, 4, 3).allPixels(3);
    float[][] expected;
    try (Model m = TinyModels.cnn(SIZE, 2).build(12)) {
      expected = m.predict(images, 3);
      store.publish("fresh", m, template("fresh"));
    }
    Path imagesFile = tmp.resolve("images.bin");
    try (var out = new java.io.DataOutputStream(Files.newOutputStream(imagesFile))) {
      for (float f : images) {
        out.writeFloat(f);
      }
    }
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path")));
    String cache = System.getProperty("org.bytedeco.javacpp.cachedir");
    if (cache != null) {
      cmd.add("-Dorg.bytedeco.javacpp.cachedir=" + cache);
    }
    cmd.addAll(List.of(LoadInFreshJvm.class.getName(), store.latest("fresh").toString(), imagesFile.toString(), "3"));
    Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(proc.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(proc.exitValue()).as(output).isZero();
    List<String> lines = output.lines().filter(l -> l.startsWith("p ")).toList();
    assertThat(lines).hasSize(3);
    for (int i = 0; i < 3; i++) {
      assertThat(Float.parseFloat(lines.get(i).substring(2))).isCloseTo(expected[i][1], within(1e-6f));
    }
  }

  @Test
  void addGradientsWorksOnALoadedBundle() {
    var store = new BundleStore(tmp.resolve("models"));
    try (Model m = TinyModels.cnn(SIZE, 2).build(13)) {
      store.publish("grad", m, template("grad"));
    }
    float[] images = SyntheticImages.binary(1, SIZE, 1, 3).allPixels(1);
    try (ModelBundle b = ModelBundle.load(store.latest("grad"))) {
      Ops tf = Ops.create(b.graph());
      @SuppressWarnings("unchecked")
      Operand<TFloat32> preact = (Operand<TFloat32>) b.graph().output("conv_2_preact");
      var objective = tf.reduceSum(preact, tf.constant(new int[] {0, 1, 2, 3}));
      Output<?>[] grads = b.graph().addGradients(objective.asOutput(), new Output<?>[] {b.graph().output("input")});
      try (TFloat32 x = io.convnet.nn.Tensors.images(images, 1, SIZE, SIZE, 3);
          Result r = b.session().runner().feed("input", x).fetch(grads[0]).run()) {
        TFloat32 g = (TFloat32) r.get(0);
        assertThat(g.shape().asArray()).containsExactly(1, SIZE, SIZE, 3);
        float[] values = io.convnet.nn.Tensors.flat(g);
        double norm = 0;
        for (float v : values) {
          norm += v * v;
        }
        assertThat(norm).isGreaterThan(0);
      }
    }
  }

  private static String readString(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
