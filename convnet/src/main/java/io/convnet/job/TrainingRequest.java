package io.convnet.job;

import io.convnet.arch.Architectures;
import io.convnet.bundle.BundleStore;
import io.convnet.data.DataRoot;
import io.convnet.limits.TrainingLimits;
import io.convnet.train.OptimizerSpec;
import io.convnet.train.TrainingConfig;
import io.convnet.transfer.BaseAndHead;
import io.convnet.transfer.TransferOptions;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A training job as the CLI and the trainer service describe it. Validated on construction, each
 * problem named.
 *
 * @param modelName served name; null = the architecture's default ({@code cats-vs-dogs})
 * @param dataDir folder with {@code train/<class>/} and {@code validation/<class>/}
 * @param maxPerClass at most this many training images per class; 0 = all
 * @param imageSize input height and width; 0 = the architecture's default
 * @param patience early stopping patience in epochs; 0 = off
 * @param store model store root ({@code models/})
 * @param workDir checkpoints; null = {@code <store>/.work/<model>}
 * @param resume continue from the checkpoint in the work directory (else it is cleared)
 * @param transfer transfer learning and fine-tuning ({@link TransferOptions#NONE}: plain training); its weights
 *     file must exist, its fine-tune layer must be a conv layer of the architecture's base
 * @param dataRoot every data file is read under it (symbolic links may not lead out); null = {@code dataDir}
 *     itself, as the command line's {@code -d}
 */
public record TrainingRequest(String architecture, String modelName, Path dataDir, int epochs, int batchSize,
    boolean augment, OptimizerSpec optimizer, long seed, int maxPerClass, int imageSize, int patience, Path store,
    Path workDir, boolean resume, TransferOptions transfer, DataRoot dataRoot) {

  public static final int MAX_BATCH_SIZE = TrainingLimits.MAX_BATCH_SIZE;

  public TrainingRequest {
    var arch = Architectures.get(architecture);
    modelName = BundleStore.checkModelName(modelName == null ? arch.defaultModelName() : modelName);
    if (dataDir == null) {
      throw new IllegalArgumentException("a data directory is required");
    }
    TrainingConfig.requireEpochs(epochs);
    if (optimizer == null) {
      throw new IllegalArgumentException("an optimizer is required: rmsprop, adam or sgd");
    }
    if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
      throw new IllegalArgumentException("batch size must be 1.." + MAX_BATCH_SIZE + ", got " + batchSize);
    }
    if (maxPerClass < 0) {
      throw new IllegalArgumentException("max images per class must be >= 0 (0 = all), got " + maxPerClass);
    }
    if (imageSize != 0 && (imageSize < TrainingLimits.MIN_IMAGE_SIZE || imageSize > TrainingLimits.MAX_IMAGE_SIZE)) {
      throw new IllegalArgumentException("image size must be " + TrainingLimits.MIN_IMAGE_SIZE + ".."
          + TrainingLimits.MAX_IMAGE_SIZE + ", got " + imageSize);
    }
    if (patience < 0) {
      throw new IllegalArgumentException("patience must be >= 0 (0 = no early stopping), got " + patience);
    }
    if (store == null) {
      throw new IllegalArgumentException("a model store directory is required");
    }
    imageSize = imageSize == 0 ? arch.defaultImageSize() : imageSize;
    new io.convnet.data.Preprocessing(imageSize, imageSize, io.convnet.data.Preprocessing.Mode.parse(arch.preprocessing()));
    workDir = workDir == null ? store.resolve(".work").resolve(modelName) : workDir;
    transfer = transfer == null ? TransferOptions.NONE : transfer;
    if (transfer.active()) {
      checkTransfer(transfer, arch.define(imageSize, 2));
    }
  }

  /** The data folder is the data root. */
  public TrainingRequest(String architecture, String modelName, Path dataDir, int epochs, int batchSize,
      boolean augment, OptimizerSpec optimizer, long seed, int maxPerClass, int imageSize, int patience, Path store,
      Path workDir, boolean resume, TransferOptions transfer) {
    this(architecture, modelName, dataDir, epochs, batchSize, augment, optimizer, seed, maxPerClass, imageSize,
        patience, store, workDir, resume, transfer, null);
  }

  /** Plain training (no transfer learning). */
  public TrainingRequest(String architecture, String modelName, Path dataDir, int epochs, int batchSize,
      boolean augment, OptimizerSpec optimizer, long seed, int maxPerClass, int imageSize, int patience, Path store,
      Path workDir, boolean resume) {
    this(architecture, modelName, dataDir, epochs, batchSize, augment, optimizer, seed, maxPerClass, imageSize,
        patience, store, workDir, resume, TransferOptions.NONE);
  }

  private static void checkTransfer(TransferOptions t, io.convnet.nn.Sequential spec) {
    if (t.weights() != null && !Files.isRegularFile(t.weights())) {
      throw new IllegalArgumentException("no such weights file: " + t.weights());
    }
    BaseAndHead split = BaseAndHead.of(spec);
    if (t.fineTune()) {
      split.baseFrom(split.fineTuneFrom(t));
    }
  }

  /** The same request with other transfer options. */
  public TrainingRequest withTransfer(TransferOptions t) {
    return new TrainingRequest(architecture, modelName, dataDir, epochs, batchSize, augment, optimizer, seed,
        maxPerClass, imageSize, patience, store, workDir, resume, t, dataRoot);
  }

  /** The root the data is read under: {@link #dataRoot}, else the data folder itself. */
  public DataRoot confinement() {
    return dataRoot != null ? dataRoot : DataRoot.folder(dataDir);
  }

  /** The tutorial's settings, {@link TrainingLimits}' defaults: tutorial CNN, batch 32, RMSprop 1e-4, seed 1. */
  public static TrainingRequest tutorial(Path dataDir, Path store, int epochs, boolean augment, int maxPerClass) {
    return new TrainingRequest(TrainingLimits.DEFAULT_ARCHITECTURE, null, dataDir, epochs,
        TrainingLimits.DEFAULT_BATCH_SIZE, augment,
        OptimizerSpec.parse(TrainingLimits.DEFAULT_OPTIMIZER, TrainingLimits.DEFAULT_LEARNING_RATE),
        TrainingLimits.DEFAULT_SEED, maxPerClass, 0, 0, store, null, false);
  }
}
