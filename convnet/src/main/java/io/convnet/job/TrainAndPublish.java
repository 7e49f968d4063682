package io.convnet.job;

import io.convnet.arch.Architecture;
import io.convnet.arch.Architectures;
import io.convnet.bundle.BundleStore;
import io.convnet.bundle.BundleWriter;
import io.convnet.bundle.Manifest;
import io.convnet.data.Augmentation;
import io.convnet.data.DataSplits;
import io.convnet.data.PipelineOptions;
import io.convnet.data.Preprocessing;
import io.convnet.nn.Model;
import io.convnet.nn.Sequential;
import io.convnet.train.EpochMetrics;
import io.convnet.train.History;
import io.convnet.train.StopReason;
import io.convnet.train.Trainer;
import io.convnet.train.TrainingConfig;
import io.convnet.train.TrainingListener;
import io.convnet.transfer.TransferTraining;
import io.convnet.util.FileTrees;
import io.convnet.viz.LearningCurves;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One training job end to end: open the folder dataset, build the architecture, fit, and publish the
 * bundle (with its learning curves) as the next version in the store. A cancelled job publishes nothing
 * and keeps its checkpoints so that it can resume.
 */
public final class TrainAndPublish {
  private static final Logger LOG = LoggerFactory.getLogger(TrainAndPublish.class);

  private TrainAndPublish() {}

  public static TrainingOutcome run(TrainingRequest req, TrainingListener listener, BooleanSupplier cancelled) {
    long start = System.nanoTime();
    Architecture arch = Architectures.get(req.architecture());
    Preprocessing pre = new Preprocessing(req.imageSize(), req.imageSize(),
        Preprocessing.Mode.parse(arch.preprocessing()));
    PipelineOptions train = PipelineOptions.training(pre).withBatchSize(req.batchSize()).withSeed(req.seed())
        .withMaxPerClass(req.maxPerClass()).withAugmentation(augmentation(req, arch));
    PipelineOptions validation = train.forEvaluation().withMaxPerClass(0);
    if (!req.resume()) {
      FileTrees.delete(req.workDir());
    }
    try (DataSplits data = DataSplits.open(req.confinement(), req.dataDir(), train, validation)) {
      Sequential spec = arch.define(req.imageSize(), data.training().classNames().size()).name(req.modelName());
      if (req.transfer().active()) {
        spec = TransferTraining.spec(spec, req.transfer());
      }
      LOG.info("training {} ({}) on {} training / {} validation images of {}", req.modelName(), req.architecture(),
          data.training().imageCount(), data.validation().imageCount(), data.training().classNames());
      TrainingConfig cfg = new TrainingConfig(req.epochs(), req.optimizer(), req.seed(), req.patience(), true,
          req.workDir(), null);
      // a failed weight import throws here: the model is closed and nothing is published
      try (Model model = spec.build(req.seed())) {
        History history;
        Map<String, Object> transfer = null;
        if (req.transfer().active()) {
          TransferTraining.Result r = TransferTraining.fit(model, req.transfer(), cfg, data, listener, cancelled);
          history = r.history();
          transfer = TransferTraining.describe(req.transfer(), r, spec);
        } else {
          history = new Trainer(model, cfg).fit(data.training(), data.validation(), listener, cancelled);
        }
        if (history.stopReason() == StopReason.CANCELLED || history.epochs().isEmpty()) {
          return new TrainingOutcome(req.modelName(), 0, null, history, seconds(start));
        }
        Manifest manifest = manifest(req, arch, pre, data.training().classNames(), history);
        if (transfer != null) {
          manifest.training().put("transfer", transfer);
        }
        BundleStore store = new BundleStore(req.store());
        int version = store.publish(req.modelName(), (dir, v) -> {
          BundleWriter.write(model, manifest.withVersion(v), dir);
          LearningCurves.writeAll(history, dir, req.modelName() + " v" + v + " (" + req.architecture() + ")");
        });
        FileTrees.delete(req.workDir());
        return new TrainingOutcome(req.modelName(), version, store.path(req.modelName(), version), history,
            seconds(start));
      }
    }
  }

  static Manifest manifest(TrainingRequest req, Architecture arch, Preprocessing pre, java.util.List<String> labels,
      History history) {
    EpochMetrics best = history.best().orElseThrow();
    Map<String, Object> training = new LinkedHashMap<>();
    training.put("optimizer", req.optimizer().id());
    training.put("learning_rate", req.optimizer().learningRate());
    if (req.optimizer().decay() != 1) {
      training.put("learning_rate_decay", req.optimizer().decay());
    }
    training.put("batch_size", req.batchSize());
    training.put("epochs", req.epochs());
    training.put("augmentation", req.augment());
    training.put("augmentation_settings", augmentation(req, arch).describe());
    training.put("seed", req.seed());
    training.put("max_per_class", req.maxPerClass());
    training.put("patience", req.patience());
    training.put("stop_reason", history.stopReason().name().toLowerCase(java.util.Locale.ROOT));
    training.put("data", req.dataDir().getFileName() == null ? "" : req.dataDir().getFileName().toString());
    return new Manifest(Manifest.FORMAT_VERSION, req.modelName(), 0, arch.id(), Instant.now().toString(), null,
        Manifest.Preprocessing.of(pre), labels, null, null, null,
        new Manifest.Metrics(best.loss(), best.accuracy(), best.valLoss(), best.valAccuracy(), best.epoch(),
            history.epochs().size()), training, null);
  }

  /** The architecture's augmentation (tutorial's, or digits' for LeNet-5), or none. */
  private static Augmentation augmentation(TrainingRequest req, Architecture arch) {
    return req.augment() ? arch.augmentation() : Augmentation.none();
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }
}
