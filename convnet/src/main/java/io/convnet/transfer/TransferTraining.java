package io.convnet.transfer;

import io.convnet.data.DataSplits;
import io.convnet.data.FolderDataset;
import io.convnet.keras.KerasWeightImporter;
import io.convnet.nn.Layer;
import io.convnet.nn.Model;
import io.convnet.nn.ModelVariable;
import io.convnet.nn.Sequential;
import io.convnet.train.EpochMetrics;
import io.convnet.train.History;
import io.convnet.train.OptimizerSpec;
import io.convnet.train.StopReason;
import io.convnet.train.Trainer;
import io.convnet.train.TrainingConfig;
import io.convnet.train.TrainingListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Transfer learning and fine-tuning of a built model (base + head, see {@link BaseAndHead}):
 * <ol>
 *   <li>the base's conv layers are imported from a Keras {@code .h5} file (by name, every shape checked);</li>
 *   <li>phase 1 trains the head: with a frozen base only the head's variables get gradients (the base stays
 *       bit-identical); with cached bottleneck features the base runs once per image and a head-only model
 *       (same layer names) trains on the features, then its weights are copied into the full model;</li>
 *   <li>phase 2 (fine-tuning) trains the unfrozen base layers and the head together with SGD, a small learning
 *       rate and momentum 0.9, on images (augmented when the job augments).</li>
 * </ol>
 * Each phase keeps the weights of its epoch of lowest validation loss; if fine-tuning never beats the head
 * phase's best, the head phase's weights are restored, so the model always holds the epoch that
 * {@link History#best()} names. Each phase checkpoints under its own work directory, so an interrupted job resumes.
 * The full model is what gets published: serving sees an ordinary bundle.
 */
public final class TransferTraining {
  private static final Logger LOG = LoggerFactory.getLogger(TransferTraining.class);

  private TransferTraining() {}

  /**
   * What the transfer run did.
   *
   * @param history both phases, epochs numbered on (fine-tuning epoch 1 follows the head phase's last)
   * @param headEpochs epochs of the head phase in {@code history}
   * @param imported the weight import, null for a random base
   */
  public record Result(History history, int headEpochs, KerasWeightImporter.Report imported) {}

  /** The job's training spec: the architecture's, with the layers that stay frozen marked so. */
  public static Sequential spec(Sequential defined, TransferOptions options) {
    return BaseAndHead.of(defined).freeze(defined, options);
  }

  /**
   * Runs the phases on {@code model} (built from {@link #spec}). {@code config} gives epochs, optimizer, seed,
   * patience and the work directory of the head phase (fine-tuning uses {@code <workDir>/fine-tune}).
   */
  public static Result fit(Model model, TransferOptions options, TrainingConfig config, DataSplits data,
      TrainingListener listener, BooleanSupplier cancelled) {
    BaseAndHead split = BaseAndHead.of(model.spec());
    KerasWeightImporter.Report imported = null;
    if (options.weights() != null) {
      imported = KerasWeightImporter.load(model, options.weights(), split.baseWeighted());
    }
    int total = config.epochs() + options.fineTuneEpochs();
    TrainingConfig headConfig = config.withWorkDir(config.workDir().resolve("head"))
        .withTrainLayers(options.freezeBase() ? split.headWeighted() : null);
    TrainingListener headListener = new PhaseListener(listener, 0, total, true);
    History head;
    if (options.cacheBottleneck()) {
      head = fitOnBottleneck(model, split, headConfig, data, headListener, cancelled);
    } else {
      head = new Trainer(model, headConfig).fit(data.training(), data.validation(), headListener, cancelled);
    }
    if (head.stopReason() == StopReason.CANCELLED || !options.fineTune() || head.epochs().isEmpty()) {
      return new Result(head, head.epochs().size(), imported);
    }

    List<String> tuned = new ArrayList<>(split.baseFrom(split.fineTuneFrom(options)));
    tuned.addAll(split.headWeighted());
    Map<String, float[]> headPhaseWeights = snapshot(model, tuned);
    int offset = head.epochs().size();
    TrainingConfig fineConfig = new TrainingConfig(options.fineTuneEpochs(),
        OptimizerSpec.sgd(options.fineTuneLearningRate(), TransferOptions.FINE_TUNE_MOMENTUM), config.seed(),
        config.patience(), true, config.workDir().resolve("fine-tune"), tuned);
    LOG.info("fine-tuning {} with SGD lr {} momentum {} for {} epochs", tuned, options.fineTuneLearningRate(),
        TransferOptions.FINE_TUNE_MOMENTUM, options.fineTuneEpochs());
    History fine = new Trainer(model, fineConfig).fit(data.training(), data.validation(),
        new PhaseListener(listener, offset, total, false), cancelled);
    List<EpochMetrics> all = new ArrayList<>(head.epochs());
    for (EpochMetrics m : fine.epochs()) {
      all.add(renumber(m, offset));
    }
    double headBest = head.best().orElseThrow().valLoss();
    if (fine.stopReason() != StopReason.CANCELLED
        && fine.best().map(b -> b.valLoss() >= headBest).orElse(true)) {
      LOG.info("fine-tuning did not lower the validation loss below {}: keeping the head phase's weights", headBest);
      model.setWeights(headPhaseWeights);
    }
    return new Result(new History(all, fine.stopReason()), offset, imported);
  }

  /** Phase 1 on cached features: a head-only model with the same layer names, then its weights into the model. */
  private static History fitOnBottleneck(Model model, BaseAndHead split, TrainingConfig config, DataSplits data,
      TrainingListener listener, BooleanSupplier cancelled) {
    long seed = config.seed();
    BottleneckFeatures train;
    try (FolderDataset plain = FolderDataset.open(data.training().folder(),
        data.training().options().forEvaluation())) {
      LOG.info("computing bottleneck features of {} training images (no augmentation in this phase)",
          plain.imageCount());
      train = BottleneckFeatures.extract(model, split.lastBaseLayer(), plain, true, seed, cancelled);
    }
    BottleneckFeatures validation = train == null ? null
        : BottleneckFeatures.extract(model, split.lastBaseLayer(), data.validation(), false, seed, cancelled);
    if (validation == null) {
      return new History(List.of(), StopReason.CANCELLED);
    }
    int[] f = train.shape();
    Sequential headSpec = Sequential.input(f[0], f[1], f[2]).name(model.spec().name() + "-head");
    for (Layer l : model.spec().layers()) {
      if (split.head().contains(l.name())) {
        headSpec = headSpec.add(l);
      }
    }
    try (Model headModel = headSpec.build(seed)) {
      List<String> headVars = headModel.variables().keySet().stream().toList();
      headVars.forEach(v -> headModel.setWeight(v, model.weight(v))); // the same start as without the cache
      History h = new Trainer(headModel, config.withTrainLayers(null)).fit(train, validation, listener, cancelled);
      if (h.stopReason() != StopReason.CANCELLED) {
        headVars.forEach(v -> model.setWeight(v, headModel.weight(v)));
      }
      return h;
    }
  }

  private static Map<String, float[]> snapshot(Model model, List<String> layers) {
    Map<String, float[]> values = new LinkedHashMap<>();
    for (ModelVariable v : model.variablesOf(layers)) {
      values.put(v.name(), model.weight(v.name()));
    }
    return values;
  }

  private static EpochMetrics renumber(EpochMetrics m, int offset) {
    return new EpochMetrics(m.epoch() + offset, m.loss(), m.accuracy(), m.valLoss(), m.valAccuracy(), m.seconds());
  }

  /** What the manifest records under {@code training.transfer}. */
  public static Map<String, Object> describe(TransferOptions options, Result result, Sequential spec) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("weights", options.weights() == null ? null : fileName(options.weights()));
    if (result.imported() != null) {
      m.put("imported_layers", result.imported().loaded());
      m.put("keras_version", result.imported().kerasVersion());
    }
    m.put("freeze_base", options.freezeBase());
    m.put("cache_bottleneck", options.cacheBottleneck());
    m.put("head_epochs", result.headEpochs());
    m.put("fine_tune_epochs", options.fineTuneEpochs());
    if (options.fineTune()) {
      m.put("fine_tune_learning_rate", options.fineTuneLearningRate());
      m.put("fine_tune_from", BaseAndHead.of(spec).fineTuneFrom(options));
      m.put("fine_tune_optimizer", "sgd");
      m.put("fine_tune_momentum", TransferOptions.FINE_TUNE_MOMENTUM);
    }
    return m;
  }

  private static String fileName(Path p) {
    return p.getFileName() == null ? p.toString() : p.getFileName().toString();
  }

  /** Numbers a phase's epochs on from the previous phase and announces the start only once. */
  private record PhaseListener(TrainingListener delegate, int offset, int total, boolean announce)
      implements TrainingListener {
    @Override
    public void onTrainingStart(int firstEpoch, int epochs, int batchesPerEpoch) {
      if (announce) {
        delegate.onTrainingStart(firstEpoch + offset, total, batchesPerEpoch);
      }
    }

    @Override
    public void onBatchEnd(int epoch, int batch, int batches, double loss, double accuracy) {
      delegate.onBatchEnd(epoch + offset, batch, batches, loss, accuracy);
    }

    @Override
    public void onEpochEnd(EpochMetrics metrics, boolean best) {
      delegate.onEpochEnd(renumber(metrics, offset), best);
    }
  }
}
