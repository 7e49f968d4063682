package io.convnet.train;

import io.convnet.data.Batch;
import io.convnet.data.BatchSource;
import io.convnet.nn.Model;
import io.convnet.nn.ModelVariable;
import io.convnet.nn.Tensors;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Fits a {@link Model} like Keras' {@code model.fit}: epochs of training steps (dropout on), then a
 * validation pass (dropout off), per-epoch loss/accuracy, early stopping and keep-best on validation
 * loss, and a checkpoint after every epoch so that a stopped job resumes at the next one.
 */
public final class Trainer {
  private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

  private final Model model;
  private final TrainingConfig config;
  private final TrainingGraph graph;
  private final Checkpoints checkpoints;
  private final List<String> variableNames;

  public Trainer(Model model, TrainingConfig config) {
    this.model = model;
    this.config = config;
    List<ModelVariable> trainable = config.trainLayers() == null ? model.trainableVariables()
        : model.variablesOf(config.trainLayers());
    this.graph = new TrainingGraph(model, config.optimizer(), trainable);
    this.checkpoints = new Checkpoints(config.workDir());
    this.variableNames = trainable.stream().map(ModelVariable::name).toList();
  }

  /**
   * Trains until {@code config.epochs()}, early stopping, or {@code cancelled} (checked before every step;
   * a cancelled epoch is not recorded). Afterwards the model holds the best (keepBest) or last weights.
   */
  public History fit(BatchSource train, BatchSource validation, TrainingListener listener, BooleanSupplier cancelled) {
    requireClasses(train, "training");
    requireClasses(validation, "validation");
    List<EpochMetrics> history = new ArrayList<>();
    int firstEpoch = 1;
    int bestEpoch = 0;
    int sinceBest = 0;
    var saved = checkpoints.load();
    if (saved.isPresent()) {
      Checkpoints.State s = saved.get();
      if (!s.variables().equals(variableNames) || !s.optimizer().equals(config.optimizer().id())) {
        throw new IllegalArgumentException("the checkpoint in " + config.workDir() + " belongs to another model or "
            + "optimizer (" + s.optimizer() + "); use another work directory or delete it");
      }
      checkpoints.restore(model.session(), s.epoch());
      history.addAll(s.history());
      firstEpoch = s.epoch() + 1;
      bestEpoch = s.bestEpoch();
      sinceBest = s.epochsWithoutImprovement();
      LOG.info("resuming from the checkpoint of epoch {} in {}", s.epoch(), config.workDir());
    }
    listener.onTrainingStart(firstEpoch, config.epochs(), train.batchesPerEpoch());
    StopReason reason = StopReason.COMPLETED;
    if (config.patience() > 0 && sinceBest >= config.patience()) {
      reason = StopReason.EARLY_STOPPED;
    }
    for (int epoch = firstEpoch; epoch <= config.epochs() && reason == StopReason.COMPLETED; epoch++) {
      long start = System.nanoTime();
      LossAccuracy fit = runEpoch(train, epoch, listener, cancelled);
      if (fit == null) {
        reason = StopReason.CANCELLED;
        break;
      }
      LossAccuracy val = evaluate(validation, epoch - 1);
      EpochMetrics m = new EpochMetrics(epoch, fit.loss(), fit.accuracy(), val.loss(), val.accuracy(),
          (System.nanoTime() - start) / 1e9);
      history.add(m);
      boolean improved = bestEpoch == 0 || val.loss() < valLossOf(history, bestEpoch);
      if (improved) {
        bestEpoch = epoch;
        sinceBest = 0;
      } else {
        sinceBest++;
      }
      checkpoints.save(model.session(), new Checkpoints.State(epoch, bestEpoch, sinceBest, config.optimizer().id(),
          variableNames, history));
      listener.onEpochEnd(m, improved);
      if (config.patience() > 0 && sinceBest >= config.patience()) {
        reason = StopReason.EARLY_STOPPED;
      }
    }
    if (config.keepBest() && bestEpoch > 0 && bestEpoch != lastEpoch(history)) {
      checkpoints.restore(model.session(), bestEpoch);
    }
    return new History(history, reason);
  }

  /** One training step on {@code batch} (dropout seeded by {@code step}, the first epoch's learning rate); the loss. */
  public float step(Batch batch, long step) {
    try (TFloat32 x = images(model, batch); TInt32 y = Tensors.labels(batch.labels(), batch.size());
        TFloat32 on = TFloat32.scalarOf(1f); TInt64 seed = TInt64.vectorOf(config.seed(), step);
        Result r = model.session().runner().feed(model.input(), x).feed(graph.labels, y)
            .feed(model.trainingFlag(), on).feed(model.stepSeed(), seed).fetch(graph.loss)
            .addTarget(graph.trainStep).run()) {
      return Tensors.scalar((TFloat32) r.get(0));
    }
  }

  /** Mean loss and accuracy of the model over {@code source}, dropout off. */
  public LossAccuracy evaluate(BatchSource source, int epochIndex) {
    return evaluate(model, graph, source, epochIndex);
  }

  private static LossAccuracy evaluate(Model model, TrainingGraph graph, BatchSource source, int epochIndex) {
    Session s = model.session();
    Accumulator acc = new Accumulator();
    for (Iterator<Batch> it = source.epoch(epochIndex); it.hasNext(); ) {
      Batch b = it.next();
      try (TFloat32 x = images(model, b); TInt32 y = Tensors.labels(b.labels(), b.size());
          Result r = s.runner().feed(model.input(), x).feed(graph.labels, y)
              .fetch(graph.loss).fetch(model.probabilities()).run()) {
        acc.add(b, Tensors.scalar((TFloat32) r.get(0)), Tensors.rows((TFloat32) r.get(1)));
      }
    }
    return acc.means();
  }

  private LossAccuracy runEpoch(BatchSource train, int epoch, TrainingListener listener, BooleanSupplier cancelled) {
    Session s = model.session();
    Accumulator acc = new Accumulator();
    int batches = train.batchesPerEpoch();
    int i = 0;
    for (Iterator<Batch> it = train.epoch(epoch - 1); it.hasNext(); ) {
      if (cancelled.getAsBoolean()) {
        return null;
      }
      Batch b = it.next();
      long step = (long) (epoch - 1) * batches + i;
      try (TFloat32 x = images(model, b); TInt32 y = Tensors.labels(b.labels(), b.size());
          TFloat32 on = TFloat32.scalarOf(1f); TInt64 seed = TInt64.vectorOf(config.seed(), step);
          TFloat32 lr = TFloat32.scalarOf((float) config.optimizer().learningRate(epoch));
          Result r = s.runner().feed(model.input(), x).feed(graph.labels, y).feed(model.trainingFlag(), on)
              .feed(model.stepSeed(), seed).feed(graph.learningRate, lr).fetch(graph.loss)
              .fetch(model.probabilities()).addTarget(graph.trainStep).run()) {
        acc.add(b, Tensors.scalar((TFloat32) r.get(0)), Tensors.rows((TFloat32) r.get(1)));
      }
      i++;
      LossAccuracy m = acc.means();
      if (!Double.isFinite(m.loss())) {
        throw new TrainingDivergedException(m.loss(), epoch, i);
      }
      listener.onBatchEnd(epoch, i, batches, m.loss(), m.accuracy());
    }
    return acc.means();
  }

  private static TFloat32 images(Model model, Batch b) {
    int[] in = model.spec().inputShape();
    if (b.height() != in[0] || b.width() != in[1]) {
      throw new IllegalArgumentException("batch images are " + b.height() + "x" + b.width() + " but model '"
          + model.spec().name() + "' takes " + in[0] + "x" + in[1]);
    }
    long perImage = (long) in[0] * in[1] * in[2];
    if (b.pixels().length != b.size() * perImage) {
      throw new IllegalArgumentException("batch images have " + b.pixels().length / Math.max(1, b.size()) / in[0]
          / in[1] + " channels but model '" + model.spec().name() + "' takes " + in[2]
          + " (a gray model needs one-channel preprocessing, e.g. MNIST)");
    }
    return Tensors.images(b.pixels(), b.size(), b.height(), b.width(), in[2]);
  }

  private void requireClasses(BatchSource source, String what) {
    int classes = model.head().classes();
    if (source.classNames().size() != classes) {
      throw new IllegalArgumentException("the " + what + " data has " + source.classNames().size() + " classes "
          + source.classNames() + " but the model outputs " + classes);
    }
    if (source.imageCount() == 0) {
      throw new IllegalArgumentException("the " + what + " data has no images");
    }
  }

  private static double valLossOf(List<EpochMetrics> history, int epoch) {
    return history.stream().filter(m -> m.epoch() == epoch).findFirst().orElseThrow().valLoss();
  }

  private static int lastEpoch(List<EpochMetrics> history) {
    return history.isEmpty() ? 0 : history.get(history.size() - 1).epoch();
  }

  /** Sample-weighted means of loss and accuracy over batches. */
  private static final class Accumulator {
    private double lossSum;
    private long correct;
    private long seen;

    void add(Batch b, float loss, float[][] probabilities) {
      lossSum += (double) loss * b.size();
      for (int i = 0; i < b.size(); i++) {
        if (Tensors.argmax(probabilities[i]) == b.labels()[i]) {
          correct++;
        }
      }
      seen += b.size();
    }

    LossAccuracy means() {
      return new LossAccuracy(lossSum / Math.max(1, seen), (double) correct / Math.max(1, seen));
    }
  }
}
