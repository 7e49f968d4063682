package io.convnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.convnet.arch.Vgg16;
import io.convnet.bundle.BundleStore;
import io.convnet.bundle.Manifest;
import io.convnet.infer.Predictor;
import io.convnet.keras.KerasH5Writer;
import io.convnet.nn.Model;
import io.convnet.testing.ImageFolders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The VGG16 command lines end to end at 32x32: summary, keras export/import, transfer training, serving a bundle. */
class Vgg16CliTest {
  @TempDir
  Path tmp;

  static ConvnetCliTest.Run run(String... args) {
    return ConvnetCliTest.run(args);
  }

  private static float[] images(int n, int size) {
    Random r = new Random(5);
    float[] x = new float[n * size * size * 3];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (r.nextGaussian() * 60);
    }
    return x;
  }

  @Test
  void summariesHaveKerasParameterCounts() {
    assertThat(run("summary", "--arch", "vgg16-top", "--classes", "1000").out())
        .contains("block5_conv3 (Conv2D)", "predictions (Dense)", "Total params: 138,357,544");
    assertThat(run("summary", "--arch", "vgg16").out()).contains("(None, 4, 4, 512)", "Total params: 16,812,353");
  }

  @Test
  void transferLearningFromAKerasFileToAServedAndVisualisedBundle() throws Exception {
    Path data = ImageFolders.catsAndDogs(tmp.resolve("data"), 8, 40, 3);
    Path notop = tmp.resolve("vgg16_notop.h5");
    ConvnetCliTest.Run export = run("keras", "export", "--arch", "vgg16", "--image-size", "32", "--notop", "--seed", "3",
        "-o", notop.toString());
    assertThat(export.code()).as(export.err()).isZero();
    Path models = tmp.resolve("models");
    ConvnetCliTest.Run train = run("train", "--arch", "vgg16", "--image-size", "32", "-d", data.toString(),
        "--weights", notop.toString(), "--freeze-base", "--cache-bottleneck", "--fine-tune-epochs", "1",
        "--fine-tune-lr", "1e-5", "--epochs", "2", "--batch-size", "8", "--optimizer", "adam", "--lr", "1e-3",
        "-m", "pets-vgg", "-o", models.toString());
    assertThat(train.code()).as(train.err() + train.out()).isZero();
    assertThat(train.out()).contains("published pets-vgg version 1");
    Path bundle = new BundleStore(models).latest("pets-vgg");
    String manifestJson = Files.readString(bundle.resolve("manifest.json"));
    assertThat(manifestJson).contains("\"architecture\" : \"vgg16\"", "\"mode\" : \"CAFFE\"", "\"transfer\"",
        "\"weights\" : \"vgg16_notop.h5\"", "\"cache_bottleneck\" : true", "\"fine_tune_from\" : \"block5_conv1\"",
        "\"head_epochs\" : 2");
    try (Predictor p = Predictor.open(bundle)) {
      Manifest m = p.manifest();
      assertThat(m.convLayers()).isEqualTo(Vgg16.convLayers());
      assertThat(m.labels()).containsExactly("cat", "dog");
      float[] x = images(2, 32);
      assertThat(p.predict(x, 2)).hasNumberOfRows(2);
      Map<String, Predictor.Activation> acts = p.activations(x, 2, "block1_conv1", "block5_conv3_preact");
      assertThat(acts.get("block1_conv1").shape()).containsExactly(2, 32, 32, 64);
      assertThat(acts.get("block5_conv3_preact").shape()).containsExactly(2, 2, 2, 512);
      // block1..4 are still the exported (random, seed 3) weights
      try (Model source = Vgg16.withHead(32, 32, 2).build(3);
          var r = p.bundle().session().runner().fetch("block4_conv3_kernel").run()) {
        io.convnet.testing.FloatArrays.assertIdentical("block4_conv3_kernel",
            io.convnet.nn.Tensors.flat((org.tensorflow.types.TFloat32) r.get(0)), source.weight("block4_conv3_kernel"));
      }
    }
  }

  @Test
  void importingAWithTopFilePublishesAModelWithItsLabels() throws Exception {
    Path h5 = tmp.resolve("vgg16_top10.h5");
    float[] x = images(1, 32);
    float[][] expected;
    try (Model source = Vgg16.withTop(32, 32, 10).build(4)) {
      KerasH5Writer.write(source, h5, KerasH5Writer.Options.APPLICATIONS);
      expected = source.predict(x, 1);
    }
    Path labels = Files.writeString(tmp.resolve("labels.txt"),
        IntStream.range(0, 10).mapToObj(i -> "class " + i).collect(Collectors.joining("\n")));
    Path models = tmp.resolve("models");
    ConvnetCliTest.Run r = run("keras", "import", "--arch", "vgg16-top", "--image-size", "32", "--weights",
        h5.toString(), "--labels", labels.toString(), "-m", "vgg-ten", "-o", models.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("imported 16 layers", "published vgg-ten version 1");
    try (Predictor p = Predictor.open(new BundleStore(models).latest("vgg-ten"))) {
      assertThat(p.labels()).hasSize(10).startsWith("class 0");
      assertThat(p.manifest().preprocessing().mode()).isEqualTo("CAFFE");
      float[] got = p.predict(x, 1)[0];
      for (int i = 0; i < 10; i++) {
        assertThat(got[i]).isCloseTo(expected[0][i], org.assertj.core.api.Assertions.within(1e-6f));
      }
    }
    Path wrongCount = Files.writeString(tmp.resolve("three.txt"), "a\nb\nc\n");
    ConvnetCliTest.Run bad = run("keras", "import", "--arch", "vgg16-top", "--image-size", "32", "--weights",
        h5.toString(), "--labels", wrongCount.toString(), "-o", models.toString());
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("has 3 labels, expected 10");
  }

  @Test
  void badWeightsAndOptionsAreOneLineAndExitCode2() throws Exception {
    Path data = ImageFolders.catsAndDogs(tmp.resolve("data"), 2, 32, 1);
    Path text = Files.writeString(tmp.resolve("weights.h5"), "<html>404</html>");
    Path tutorial = tmp.resolve("tutorial.h5");
    try (Model m = io.convnet.arch.Architectures.get("tutorial-cnn").define(32, 2).build(1)) {
      KerasH5Writer.write(m, tutorial);
    }
    String d = data.toString();
    String o = tmp.resolve("models").toString();
    String[][] cases = {
        {"not an HDF5 file (no HDF5 signature)", "--weights", text.toString(),
            "--freeze-base"},
        {"the file lacks 13 of the 13 layers to load: block1_conv1", "--weights", tutorial.toString()},
        {"no such weights file", "--weights", tmp.resolve("none.h5").toString()},
        {"caching bottleneck features needs a frozen base", "--cache-bottleneck"},
        {"fine-tuning follows a frozen-base phase", "--fine-tune-epochs", "2"},
        {"cannot fine-tune from 'fc1'", "--freeze-base", "--fine-tune-epochs", "1", "--fine-tune-from", "fc1"},
        {"VGG16 needs an input of at least 32x32, got 16x16", "--image-size", "16"},
    };
    for (String[] c : cases) {
      String[] args = new String[c.length - 1 + 9];
      String[] base = {"train", "--arch", "vgg16", "-d", d, "-o", o, "--epochs", "1"};
      System.arraycopy(base, 0, args, 0, base.length);
      System.arraycopy(c, 1, args, base.length, c.length - 1);
      if (!java.util.Arrays.asList(args).contains("--image-size")) {
        args = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of("--image-size",
            "32")).toArray(String[]::new);
      }
      ConvnetCliTest.Run r = run(args);
      assertThat(r.code()).as(String.join(" ", args) + "\n" + r.err()).isEqualTo(2);
      assertThat(r.err()).as(String.join(" ", args)).contains(c[0]).doesNotContain("\tat ");
    }
    assertThat(new BundleStore(tmp.resolve("models")).models()).isEmpty();
  }
}
