package io.convnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.convnet.testing.TinyBundles;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code convnet bench visualization}: the visualization benchmark with the command line's parsing. */
class VisualizationBenchCliTest {
  @TempDir
  Path tmp;

  @Test
  void printsTimingAndQualityAndWritesTheImages() {
    Path data = tmp.resolve("data");
    Path bundle = TinyBundles.trained(tmp.resolve("models"), "bars", data);
    Path out = tmp.resolve("images");
    ConvnetCliTest.Run r = ConvnetCliTest.run("bench", "visualization", "--bundle", bundle.toString(), "--data-root",
        data.toString(), "--out", out.toString(), "--photo", data.resolve("bars/validation/dog/dog.0.png").toString(),
        "--filters", "2", "--rounds", "2", "--steps", "3", "--tile", "32", "--jitter", "1", "--blur-sigma", "0.5");
    assertThat(r.code()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("options: ", "steps=3", "jitter=1", "blurSigma=0.5", "TIMING ascent step at batch 1",
        "natural maxima: ", "QUALITY: ", "images written to");
    for (String png : new String[] {"filters.png", "classes.png", "feature-maps.png", "saliency.png",
        "smoothgrad.png", "grad-cam.png"}) {
      assertThat(out.resolve(png)).isNotEmptyFile();
    }

    ConvnetCliTest.Run quick = ConvnetCliTest.run("bench", "visualization", "--bundle", bundle.toString(),
        "--data-root", data.toString(), "--filters", "1", "--steps", "2", "--skip-timing", "true", "--layers", "conv_1");
    assertThat(quick.code()).as(quick.out() + quick.err()).isZero();
    assertThat(quick.out()).contains("conv_1").doesNotContain("TIMING");
  }

  @Test
  void badInputIsOneLineAndExitCode2() {
    assertThat(ConvnetCliTest.run("bench", "visualization").code()).isEqualTo(2);  // picocli: missing --bundle
    ConvnetCliTest.Run r = ConvnetCliTest.run("bench", "visualization", "--bundle", tmp.toString(), "--filters", "0");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("filters, rounds, batch and tile must be >= 1").doesNotContain("\tat ");
  }
}
