package io.convnet.cli;

import io.convnet.bundle.BundleStore;
import io.convnet.data.FolderDataset;
import io.convnet.data.PipelineOptions;
import io.convnet.data.Preprocessing;
import io.convnet.eval.EvaluationReport;
import io.convnet.eval.Evaluator;
import io.convnet.infer.Predictor;
import io.convnet.limits.TrainingLimits;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "evaluate", mixinStandardHelpOptions = true,
    description = "Runs a model bundle over a labelled folder (<data>/<class>/...) and prints accuracy, "
        + "classification error, mean squared error, cross-entropy and the confusion matrix.")
final class EvaluateCommand implements Callable<Integer> {
  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  static final class Which {
    @Option(names = "--bundle", description = "a bundle directory, e.g. models/cats-vs-dogs/3")
    Path bundle;

    @Option(names = {"-m", "--model"}, description = "a model name in the store (newest version unless --version)")
    String model;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Which which;

  @Option(names = "--version", defaultValue = "0", description = "version of --model; 0 = newest")
  int version;

  @Option(names = {"-o", "--store"}, defaultValue = "${env:CONVNET_MODEL_STORE:-models}",
      description = "model store (default: $CONVNET_MODEL_STORE or ./models)")
  Path store;

  @Option(names = {"-d", "--data"}, required = true, description = "labelled folder: one sub-folder per class")
  Path data;

  @Option(names = {"-b", "--batch-size"}, defaultValue = "" + TrainingLimits.DEFAULT_BATCH_SIZE)
  int batchSize;

  @Option(names = "--max-per-class", defaultValue = "0", description = "at most N images per class; 0 = all")
  int maxPerClass;

  @Override
  public Integer call() {
    if (batchSize < 1 || batchSize > TrainingLimits.MAX_BATCH_SIZE) {
      throw new IllegalArgumentException("batch size must be 1.." + TrainingLimits.MAX_BATCH_SIZE + ", got " + batchSize);
    }
    if (maxPerClass < 0) {
      throw new IllegalArgumentException("max images per class must be >= 0, got " + maxPerClass);
    }
    Path dir = which.bundle;
    if (dir == null) {
      BundleStore s = new BundleStore(store);
      dir = version == 0 ? s.latest(which.model) : s.path(which.model, version);
    }
    try (Predictor p = Predictor.open(dir)) {
      Preprocessing pre = p.manifest().inputPreprocessing();
      try (FolderDataset ds = FolderDataset.open(data,
          PipelineOptions.evaluation(pre).withBatchSize(batchSize).withMaxPerClass(maxPerClass))) {
        EvaluationReport r = Evaluator.evaluate(p, ds);
        var out = spec.commandLine().getOut();
        out.printf("model %s version %d (%s) on %s%n", p.manifest().name(), p.manifest().version(), dir, data);
        out.print(r.format());
        out.flush();
      }
    }
    return 0;
  }
}
