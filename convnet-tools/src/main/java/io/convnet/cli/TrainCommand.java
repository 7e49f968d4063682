package io.convnet.cli;

import io.convnet.job.TrainAndPublish;
import io.convnet.job.TrainingOutcome;
import io.convnet.job.TrainingRequest;
import io.convnet.limits.TrainingLimits;
import io.convnet.train.OptimizerSpec;
import io.convnet.transfer.TransferOptions;
import io.convnet.viz.LearningCurves;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Trains a network on <data>/train/<class>/ with <data>/validation/<class>/ and publishes the "
        + "bundle as the next version in <output>/<model>/.")
final class TrainCommand implements Callable<Integer> {
  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = {"-a", "--arch"}, defaultValue = TrainingLimits.DEFAULT_ARCHITECTURE,
      description = "architecture id (default: ${DEFAULT-VALUE})")
  String arch;

  @Option(names = {"-m", "--model"},
      description = "model name (default: the architecture's, " + TrainingLimits.DEFAULT_MODEL + ")")
  String model;

  @Option(names = {"-d", "--data"}, required = true, description = "data folder with train/ and validation/")
  Path data;

  @Option(names = {"-e", "--epochs"}, defaultValue = "" + TrainingLimits.DEFAULT_EPOCHS,
      description = "maximum epochs (default: ${DEFAULT-VALUE})")
  int epochs;

  @Option(names = {"-b", "--batch-size"}, defaultValue = "" + TrainingLimits.DEFAULT_BATCH_SIZE,
      description = "default: ${DEFAULT-VALUE}")
  int batchSize;

  @Option(names = "--augment", negatable = true, defaultValue = "true",
      description = "augment training images as the architecture does (tutorial CNN, VGG16: rotation, shifts, shear, "
          + "zoom, flips; LeNet-5: small shifts and rotations); --no-augment to switch off")
  boolean augment;

  @Option(names = "--optimizer", defaultValue = TrainingLimits.DEFAULT_OPTIMIZER, description = "rmsprop, adam or sgd (momentum 0.9); "
      + "default: ${DEFAULT-VALUE}")
  String optimizer;

  @Option(names = "--lr", defaultValue = "" + TrainingLimits.DEFAULT_LEARNING_RATE,
      description = "learning rate (default: ${DEFAULT-VALUE})")
  double lr;

  @Option(names = "--lr-decay", defaultValue = "1",
      description = "multiply the learning rate by this after every epoch; 1 = constant (default)")
  double lrDecay;

  @Option(names = "--seed", defaultValue = "" + TrainingLimits.DEFAULT_SEED,
      description = "weights, order, augmentation, dropout (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--max-per-class", defaultValue = "0",
      description = "at most N training images per class, 0 = all (the tutorial: 1000)")
  int maxPerClass;

  @Option(names = "--image-size", defaultValue = "0", description = "input size; 0 = the architecture's (150)")
  int imageSize;

  @Option(names = "--patience", defaultValue = "0",
      description = "stop after N epochs without a lower validation loss; 0 = never")
  int patience;

  @Option(names = {"-o", "--output"}, defaultValue = "${env:CONVNET_MODEL_STORE:-models}",
      description = "model store (default: $CONVNET_MODEL_STORE or ./models)")
  Path output;

  @Option(names = "--work-dir", description = "checkpoints (default: <output>/.work/<model>)")
  Path workDir;

  @Option(names = "--resume", description = "continue from the last epoch checkpoint of an interrupted run")
  boolean resume;

  @Option(names = "--weights", description = "Keras .h5 weights for the convolutional base, matched by layer name "
      + "(e.g. vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5)")
  Path weights;

  @Option(names = "--freeze-base", description = "train only the head; the base's weights stay as imported")
  boolean freezeBase;

  @Option(names = "--cache-bottleneck", description = "with --freeze-base: run the base once per image and train the "
      + "head on the cached features (no augmentation in that phase)")
  boolean cacheBottleneck;

  @Option(names = "--fine-tune-epochs", defaultValue = "0",
      description = "then fine-tune the last block and the head for N epochs (SGD, momentum 0.9); 0 = no fine-tuning")
  int fineTuneEpochs;

  @Option(names = "--fine-tune-lr",
      description = "fine-tuning learning rate (default: " + TrainingLimits.DEFAULT_FINE_TUNE_LEARNING_RATE + ")")
  Double fineTuneLr;

  @Option(names = "--fine-tune-from", description = "first layer to unfreeze (default: block5_conv1)")
  String fineTuneFrom;

  @Override
  public Integer call() {
    var out = spec.commandLine().getOut();
    TrainingRequest req = new TrainingRequest(arch, model, data, epochs, batchSize, augment,
        OptimizerSpec.parse(optimizer, lr).withDecay(lrDecay), seed, maxPerClass, imageSize, patience, output, workDir, resume,
        new TransferOptions(weights, freezeBase, cacheBottleneck, fineTuneEpochs, fineTuneLr == null ? 0 : fineTuneLr,
            fineTuneFrom));
    TrainingOutcome o;
    try (StopOnSignal stop = new StopOnSignal()) {
      o = TrainAndPublish.run(req, new ProgressBar(out, System.console() != null), stop);
    }
    var best = o.history().best();
    if (o.version() == 0) {
      out.printf(Locale.ROOT, "stopped after %d epochs; nothing published; resume with --resume%n",
          o.history().epochs().size());
      return 1;
    }
    out.printf(Locale.ROOT, "published %s version %d in %s (%s after %d epochs, %.0f s)%n", o.modelName(),
        o.version(), o.bundleDir(), o.history().stopReason().name().toLowerCase(Locale.ROOT),
        o.history().epochs().size(), o.seconds());
    best.ifPresent(b -> out.printf(Locale.ROOT, "best epoch %d: val_loss %.4f, val_accuracy %.4f%n", b.epoch(),
        b.valLoss(), b.valAccuracy()));
    out.printf("learning curves: %s%n", o.bundleDir().resolve(LearningCurves.PNG));
    return 0;
  }
}
