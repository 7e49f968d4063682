package io.convnet.gateway.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convnet.image.ImageFormat;
import io.convnet.limits.TrainingLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The gateway reads convnet's TrainingLimits and ImageFormat (what an image's first bytes say it is) and nothing
 * else of convnet: none of convnet's dependencies is on its class path (TensorFlow least of all), so any other
 * convnet class would fail at run time.
 */
class TrainingLimitsOnlyTest {

  @Test
  void noTensorFlowOnTheClassPathAndTheLimitsLoadWithoutIt() {
    assertThatThrownBy(() -> Class.forName("org.tensorflow.Graph")).isInstanceOf(ClassNotFoundException.class);
    assertThat(TrainingLimits.ARCHITECTURES).contains(TrainingLimits.DEFAULT_ARCHITECTURE);
    assertThat(TrainingLimits.MODEL_NAME.matcher(TrainingLimits.DEFAULT_MODEL).matches()).isTrue();
    assertThat(ImageFormat.sniff(new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, 0})).isEqualTo(ImageFormat.JPEG);
  }

  @Test
  void theGatewayImportsNoOtherConvnetClass() throws IOException {
    List<String> imports;
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      imports = files.filter(f -> f.toString().endsWith(".java")).flatMap(TrainingLimitsOnlyTest::lines)
          .filter(l -> l.startsWith("import io.convnet.") || l.startsWith("import static io.convnet."))
          .filter(l -> !l.matches("import (static )?io\\.convnet\\.(gateway|kit|proto)\\..*"))
          .distinct().toList();
    }
    assertThat(imports).containsOnly("import io.convnet.limits.TrainingLimits;", "import io.convnet.image.ImageFormat;");
  }

  private static Stream<String> lines(Path f) {
    try {
      return Files.readAllLines(f).stream().map(String::trim);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
