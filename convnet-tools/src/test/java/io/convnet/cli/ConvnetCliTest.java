package io.convnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.convnet.bundle.BundleStore;
import io.convnet.testing.ImageFolders;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConvnetCliTest {
  @TempDir
  Path tmp;

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = ConvnetCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void summaryPrintsTheKerasTable() {
    Run r = run("summary", "--arch", "tutorial-cnn");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("conv_1 (Conv2D)", "dense_1 (Dense)", "Total params: 5,615,553");
  }

  @Test
  void badInputIsOneLineAndExitCode2() throws Exception {
    Path data = ImageFolders.catsAndDogs(tmp.resolve("data"), 2, 32, 1);
    String[][] cases = {
        {"unknown architecture 'resnet'", "train", "-d", data.toString(), "--arch", "resnet"},
        {"epochs must be 1..10000, got -3", "train", "-d", data.toString(), "--epochs", "-3"},
        {"epochs must be 1..10000, got 99999999", "train", "-d", data.toString(), "--epochs", "99999999"},
        {"batch size must be 1..1024, got 0", "train", "-d", data.toString(), "--batch-size", "0"},
        {"batch size must be 1..1024, got 100000", "train", "-d", data.toString(), "--batch-size", "100000"},
        {"learning rate must be > 0", "train", "-d", data.toString(), "--lr", "-0.01"},
        {"learning rate must be > 0 and <= 10, got 1000.0", "train", "-d", data.toString(), "--lr", "1000"},
        {"unknown optimizer 'adagrad'", "train", "-d", data.toString(), "--optimizer", "adagrad"},
        {"invalid model name 'Bad/Name'", "train", "-d", data.toString(), "--model", "Bad/Name"},
        {"unknown setting 'tutorial-x'", "bench", "accuracy", "--setting", "tutorial-x", "-d", data.toString()},
        {"unknown optimizer 'adagrad'", "bench", "accuracy", "--setting", "full-aug", "--optimizer", "adagrad", "-d",
            data.toString()},
        {"learning rate must be > 0", "bench", "accuracy", "--setting", "full-aug", "--lr", "0", "-d",
            data.toString()},
        {"model 'nothing' has no version", "evaluate", "--model", "nothing", "--store", tmp.toString(), "-d",
            data.resolve("validation").toString()},
    };
    for (String[] c : cases) {
      String[] args = java.util.Arrays.copyOfRange(c, 1, c.length);
      Run r = run(args);
      assertThat(r.code()).as(String.join(" ", args) + "\n" + r.err()).isEqualTo(2);
      assertThat(r.err()).as(String.join(" ", args)).contains(c[0]).doesNotContain("\tat ");
    }
    Run missing = run("train", "-d", tmp.resolve("nowhere").toString(), "--image-size", "32", "-o",
        tmp.resolve("m").toString());
    assertThat(missing.code()).as(missing.err()).isEqualTo(2);
    assertThat(missing.err()).contains("nowhere").doesNotContain("\tat ");
    assertThat(run("train").code()).isEqualTo(2); // picocli: missing --data
  }

  @Test
  void dataProblemsAreSurfacedAsOneLine() throws Exception {
    Path oneClass = Files.createDirectories(tmp.resolve("one/train/cat"));
    Files.createDirectories(tmp.resolve("one/validation/cat"));
    Path good = ImageFolders.catsAndDogs(tmp.resolve("tmpl"), 1, 32, 1).resolve("train/cat/cat.0.png");
    Files.copy(good, oneClass.resolve("a.png"));
    Files.copy(good, tmp.resolve("one/validation/cat/a.png"));
    Path broken = ImageFolders.catsAndDogs(tmp.resolve("broken"), 2, 32, 1);
    Files.write(broken.resolve("train/dog/corrupt.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2, 3, 4});
    Files.write(broken.resolve("train/dog/empty.jpg"), new byte[0]);
    for (Path data : new Path[] {tmp.resolve("one"), broken}) {
      Run r = run("train", "-d", data.toString(), "--image-size", "32", "--epochs", "1", "-o",
          tmp.resolve("m").toString());
      assertThat(r.code()).as(r.out() + r.err()).isEqualTo(2);
      assertThat(r.err()).startsWith("error: ").doesNotContain("\tat ");
    }
    assertThat(run("train", "-d", tmp.resolve("one").toString(), "--image-size", "32", "-o",
        tmp.resolve("m").toString()).err()).contains("only one class");
    assertThat(run("train", "-d", broken.toString(), "--image-size", "32", "-o", tmp.resolve("m").toString()).err())
        .contains("corrupt.jpg");
    assertThat(new BundleStore(tmp.resolve("m")).models()).isEmpty();
  }

  /** The folder given with -d is the data root: links may not lead out of it, and nothing outside is shown. */
  @Test
  void trainRefusesSymbolicLinksOutOfTheDataFolder() throws Exception {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(outside.resolve("passwd"), "root:x:0:0:root:/root:/bin/bash\n");
    ImageFolders.catsAndDogs(outside.resolve("more"), 2, 32, 4);
    Path data = ImageFolders.catsAndDogs(tmp.resolve("linked"), 2, 32, 1);
    Files.createSymbolicLink(data.resolve("train/cat/cat.9.png"), outside.resolve("passwd"));
    Files.createSymbolicLink(data.resolve("validation/bird"), outside.resolve("more/validation/dog"));
    Run r = run("train", "-d", data.toString(), "--image-size", "32", "--epochs", "1", "-o",
        tmp.resolve("m").toString());
    assertThat(r.code()).as(r.out() + r.err()).isEqualTo(2);
    assertThat(r.err()).startsWith("error: ").contains("outside the data root", "train/cat/cat.9.png")
        .doesNotContain("root:x", "\tat ");
    Files.delete(data.resolve("train/cat/cat.9.png"));
    r = run("train", "-d", data.toString(), "--image-size", "32", "--epochs", "1", "-o", tmp.resolve("m").toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("outside the data root", "validation/bird");
    assertThat(new BundleStore(tmp.resolve("m")).models()).isEmpty();
  }

  @Test
  void trainPublishesABundleThatEvaluateReads() throws Exception {
    Path data = ImageFolders.catsAndDogs(tmp.resolve("data"), 12, 32, 2);
    Path models = tmp.resolve("models");
    Run t = run("train", "-d", data.toString(), "--image-size", "32", "--epochs", "2", "--batch-size", "8",
        "--no-augment", "--optimizer", "adam", "--lr", "1e-3", "-o", models.toString());
    assertThat(t.code()).as(t.out() + t.err()).isZero();
    assertThat(t.out()).contains("Epoch 1/2", "val_accuracy", "published cats-vs-dogs version 1");
    Path bundle = new BundleStore(models).latest("cats-vs-dogs");
    assertThat(bundle.resolve("learning-curves.png")).exists();
    assertThat(Files.readString(bundle.resolve("history.csv"))).startsWith("epoch,loss,accuracy,val_loss");
    assertThat(Files.readString(bundle.resolve("manifest.json"))).contains("\"tutorial-cnn\"", "\"cat\"", "\"dog\"",
        "\"RESCALE\"");
    assertThat(models.resolve(".work/cats-vs-dogs")).doesNotExist();

    Run e = run("evaluate", "--model", "cats-vs-dogs", "--store", models.toString(), "-d",
        data.resolve("validation").toString());
    assertThat(e.code()).as(e.out() + e.err()).isZero();
    assertThat(e.out()).contains("accuracy", "classification error", "mean squared error", "cross-entropy",
        "confusion matrix", "images               24");
  }
}
