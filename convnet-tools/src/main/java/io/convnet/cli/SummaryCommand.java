package io.convnet.cli;

import io.convnet.arch.Architecture;
import io.convnet.arch.Architectures;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "summary", mixinStandardHelpOptions = true,
    description = "Prints an architecture's layers, output shapes and parameter counts, like Keras' summary().")
final class SummaryCommand implements Callable<Integer> {
  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = {"-a", "--arch"}, defaultValue = "tutorial-cnn")
  String arch;

  @Option(names = "--image-size", defaultValue = "0", description = "0 = the architecture's")
  int imageSize;

  @Option(names = "--classes", defaultValue = "2")
  int classes;

  @Override
  public Integer call() {
    Architecture a = Architectures.get(arch);
    if (classes < 2) {
      throw new IllegalArgumentException("classes must be >= 2, got " + classes);
    }
    spec.commandLine().getOut().print(a.define(imageSize == 0 ? a.defaultImageSize() : imageSize, classes).summary());
    spec.commandLine().getOut().flush();
    return 0;
  }
}
