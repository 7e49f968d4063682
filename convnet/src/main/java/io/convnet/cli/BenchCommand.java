package io.convnet.cli;

import io.convnet.bench.AccuracyBenchmark;
import io.convnet.bench.ThroughputBenchmark;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that print figures.",
    subcommands = {BenchCommand.Accuracy.class, BenchCommand.Throughput.class})
final class BenchCommand implements Runnable {
  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "name a benchmark: accuracy or throughput");
  }

  @Command(name = "accuracy", mixinStandardHelpOptions = true,
      description = "Trains the tutorial CNN in one setting: tutorial-noaug, tutorial-aug or full-aug.")
  static final class Accuracy implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--setting", required = true, description = "tutorial-noaug, tutorial-aug or full-aug")
    String setting;

    @Option(names = "--epochs", defaultValue = "0", description = "0 = the setting's (30, 100, 100)")
    int epochs;

    @Option(names = {"-d", "--data"}, defaultValue = "${env:CONVNET_DATASETS:-../shared/datasets}/cats-vs-dogs")
    Path data;

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
      try (StopOnSignal stop = new StopOnSignal()) {
        AccuracyBenchmark.run(s, epochs, data, output, seed, resume, out,
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
}
