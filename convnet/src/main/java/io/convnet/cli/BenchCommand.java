package io.convnet.cli;

import io.convnet.bench.AccuracyBenchmark;
import io.convnet.bench.ThroughputBenchmark;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that print figures.",
    subcommands = {BenchCommand.Accuracy.class, BenchCommand.Throughput.class, BenchCommand.Vgg16Forward.class,
        BenchCommand.Vgg16Transfer.class})
final class BenchCommand implements Runnable {
  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "name a benchmark: accuracy, throughput, vgg16-forward or vgg16-transfer");
  }

  @Command(name = "accuracy", mixinStandardHelpOptions = true,
      description = "Trains in one setting: the tutorial CNN (tutorial-noaug, tutorial-aug, full-aug) or LeNet-5 "
          + "(lenet-mnist).")
  static final class Accuracy implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--setting", required = true, description = "tutorial-noaug, tutorial-aug, full-aug or lenet-mnist")
    String setting;

    @Option(names = "--epochs", defaultValue = "0", description = "0 = the setting's (30, 100, 100, 40)")
    int epochs;

    @Option(names = "--optimizer", description = "rmsprop, adam or sgd instead of the setting's")
    String optimizer;

    @Option(names = "--lr", description = "learning rate instead of the setting's")
    Double lr;

    @Option(names = "--lr-decay", description = "learning rate factor per epoch instead of the setting's")
    Double lrDecay;

    @Option(names = {"-d", "--data"}, description = "default: <datasets>/cats-vs-dogs, or <datasets>/mnist for "
        + "lenet-mnist")
    Path data;

    @Option(names = "--datasets", defaultValue = "${env:CONVNET_DATASETS:-../shared/datasets}")
    Path datasets;

    @Option(names = {"-o", "--output"}, defaultValue = "${env:CONVNET_MODEL_STORE:-models}")
    Path output;

    @Option(names = "--seed", defaultValue = "1")
    long seed;

    @Option(names = "--resume", description = "continue an interrupted run of this setting")
    boolean resume;

    @Override
    public Integer call() {
      var out = spec.commandLine().getOut();
      var s = AccuracyBenchmark.Setting.parse(setting);
      Path folder = data != null ? data : datasets.resolve(s.dataset());
      try (StopOnSignal stop = new StopOnSignal()) {
        AccuracyBenchmark.run(s, epochs, s.optimizer(optimizer, lr, lrDecay), folder, output, seed, resume, out,
            new ProgressBar(out, System.console() != null), stop);
      }
      return 0;
    }
  }

  @Command(name = "throughput", mixinStandardHelpOptions = true,
      description = "Training images/s with the input pipeline vs ready-made tensors; inference images/s.")
  static final class Throughput implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = {"-d", "--data"}, defaultValue = "${env:CONVNET_DATASETS:-../shared/datasets}/cats-vs-dogs")
    Path data;

    @Option(names = "--steps", defaultValue = "20", description = "steps per round and mode")
    int steps;

    @Option(names = "--rounds", defaultValue = "2")
    int rounds;

    @Override
    public Integer call() throws Exception {
      if (steps < 1 || rounds < 1) {
        throw new IllegalArgumentException("steps and rounds must be >= 1");
      }
      ThroughputBenchmark.run(data, steps, rounds, spec.commandLine().getOut());
      return 0;
    }
  }

  @Command(name = "vgg16-forward", mixinStandardHelpOptions = true,
      description = "VGG16 forward pass: seconds per image at batch 1 and 8, peak RSS.")
  static final class Vgg16Forward implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--image-size", defaultValue = "224")
    int size;

    @Option(names = "--rounds", defaultValue = "7", description = "timed passes per batch size")
    int rounds;

    @Option(names = "--notop", description = "the base with the small transfer head instead of the ImageNet top")
    boolean notop;

    @Override
    public Integer call() {
      if (rounds < 1) {
        throw new IllegalArgumentException("rounds must be >= 1");
      }
      io.convnet.bench.Vgg16Benchmark.forward(size, !notop, rounds, spec.commandLine().getOut());
      return 0;
    }
  }

  @Command(name = "vgg16-transfer", mixinStandardHelpOptions = true,
      description = "Transfer learning on cats-vs-dogs from a random VGG16 base written in Keras' layout.")
  static final class Vgg16Transfer implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = {"-d", "--data"}, defaultValue = "${env:CONVNET_DATASETS:-../shared/datasets}/cats-vs-dogs")
    Path data;

    @Option(names = {"-o", "--output"}, defaultValue = "${env:CONVNET_MODEL_STORE:-models}")
    Path output;

    @Option(names = "--image-size", defaultValue = "150")
    int size;

    @Option(names = "--max-per-class", defaultValue = "1000")
    int maxPerClass;

    @Option(names = "--epochs", defaultValue = "10", description = "head epochs")
    int epochs;

    @Option(names = "--cache-bottleneck", negatable = true, defaultValue = "true")
    boolean cache;

    @Option(names = "--fine-tune-epochs", defaultValue = "1")
    int fineTuneEpochs;

    @Option(names = "--seed", defaultValue = "1")
    long seed;

    @Override
    public Integer call() throws Exception {
      var out = spec.commandLine().getOut();
      try (StopOnSignal stop = new StopOnSignal()) {
        io.convnet.bench.Vgg16Benchmark.transfer(data, output, size, maxPerClass, epochs, cache, fineTuneEpochs, seed,
            out, new ProgressBar(out, System.console() != null), stop);
      }
      return 0;
    }
  }
}
