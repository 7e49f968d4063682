package io.convnet.cli;

import io.convnet.bench.AccuracyBenchmark;
import io.convnet.bench.ThroughputBenchmark;
import io.convnet.bench.VisualizationBenchmark;
import io.convnet.viz.AscentOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that print figures.",
    subcommands = {BenchCommand.Accuracy.class, BenchCommand.Throughput.class, BenchCommand.Vgg16Forward.class,
        BenchCommand.Vgg16Transfer.class, BenchCommand.Visualization.class})
final class BenchCommand implements Runnable {
  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "name a benchmark: accuracy, throughput, vgg16-forward, vgg16-transfer or visualization");
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

  @Command(name = "visualization", mixinStandardHelpOptions = true,
      description = "Activation maximization of one bundle: time per ascent step vs a forward+backward pass, quality "
          + "of the default filter grids against their natural maxima, and the visualizations as PNGs (with --out).")
  static final class Visualization implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--bundle", required = true, description = "a bundle directory, e.g. models/cats-vs-dogs/3")
    Path bundle;

    @Option(names = "--data-root", defaultValue = "${env:CONVNET_DATASETS:-../shared/datasets}",
        description = "where the manifest's data set lies (default: ${DEFAULT-VALUE})")
    Path dataRoot;

    @Option(names = "--validation", description = "validation images for the natural maxima (default: the manifest's)")
    Path validation;

    @Option(names = "--out", description = "write the PNGs here (default: figures only)")
    Path out;

    @Option(names = "--filters", defaultValue = "8", description = "filters per grid layer")
    int filters;

    @Option(names = "--rounds", defaultValue = "20", description = "timed forward+backward passes per measurement")
    int rounds;

    @Option(names = "--max-per-class", defaultValue = "0", description = "validation images per class; 0 = all")
    int maxPerClass;

    @Option(names = "--batch", defaultValue = "1", description = "filters ascended together in the quality grids")
    int batch;

    @Option(names = "--layers", split = ",", description = "grid layers (default: the last conv layer of each block)")
    List<String> layers;

    @Option(names = "--skip-timing", arity = "0..1", description = "no timing")
    boolean skipTiming;

    @Option(names = "--skip-images", arity = "0..1", description = "no class, feature-map, saliency or Grad-CAM images")
    boolean skipImages;

    @Option(names = "--photo", description = "the image to explain (default: the first dog of the validation images)")
    Path photo;

    @Option(names = "--tile", defaultValue = "150", description = "tile side in the filter grid, pixels")
    int tile;

    @Option(names = "--steps", description = "ascent steps (default: AscentOptions' 150)")
    Integer steps;

    @Option(names = "--step-size")
    Double stepSize;

    @Option(names = "--jitter", description = "pixels")
    Integer jitter;

    @Option(names = "--l2-decay")
    Double l2Decay;

    @Option(names = "--blur-every", description = "steps")
    Integer blurEvery;

    @Option(names = "--blur-sigma", description = "pixels")
    Double blurSigma;

    @Option(names = "--tv", description = "total variation weight")
    Double tv;

    @Option(names = "--noise", description = "amplitude of the starting noise")
    Double noise;

    @Override
    public Integer call() throws Exception {
      if (filters < 1 || rounds < 1 || batch < 1 || tile < 1 || maxPerClass < 0) {
        throw new IllegalArgumentException("filters, rounds, batch and tile must be >= 1, max-per-class >= 0");
      }
      VisualizationBenchmark.run(new VisualizationBenchmark.Settings(bundle, dataRoot, validation, out, filters, rounds,
          maxPerClass, batch, layers, skipTiming, skipImages, photo, tile, ascentOptions()),
          spec.commandLine().getOut());
      return 0;
    }

    /** The defaults with what was given replaced. */
    private AscentOptions ascentOptions() {
      AscentOptions o = AscentOptions.DEFAULTS;
      o = steps == null ? o : o.withSteps(steps);
      o = stepSize == null ? o : o.withStepSize(stepSize);
      o = jitter == null ? o : o.withJitter(jitter);
      o = l2Decay == null ? o : o.withL2Decay(l2Decay);
      if (blurEvery != null || blurSigma != null) {
        o = o.withBlur(blurEvery == null ? o.blurEvery() : blurEvery, blurSigma == null ? o.blurSigma() : blurSigma);
      }
      o = tv == null ? o : o.withTotalVariation(tv);
      return noise == null ? o : o.withNoise(noise);
    }
  }
}
