package io.convnet.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convnet.nn.Activation;
import io.convnet.nn.Conv2D;
import io.convnet.nn.Dense;
import io.convnet.nn.Flatten;
import io.convnet.nn.Model;
import io.convnet.nn.Sequential;
import io.convnet.testing.SyntheticImages;
import io.convnet.testing.TinyModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
  static final int SIZE = 16;

  @TempDir
  Path tmp;

  private static History train(Model m, TrainingConfig cfg, SyntheticImages train, SyntheticImages val,
      TrainingListener l) {
    return new Trainer(m, cfg).fit(train, val, l, () -> false);
  }

  @Test
  void rmspropLearnsTheSyntheticTaskAndReportsEveryEpoch() {
    var train = SyntheticImages.binary(40, SIZE, 16, 1);
    var val = SyntheticImages.binary(20, SIZE, 16, 2);
    List<String> events = new ArrayList<>();
    try (Model m = TinyModels.cnn(SIZE, 2).build(7)) {
      History h = train(m, TrainingConfig.of(4, OptimizerSpec.rmsprop(1e-3), 7, tmp), train, val,
          new TrainingListener() {
            @Override
            public void onBatchEnd(int epoch, int batch, int batches, double loss, double acc) {
              events.add("batch " + epoch + " " + batch + "/" + batches);
            }

            @Override
            public void onEpochEnd(EpochMetrics metrics, boolean best) {
              events.add("epoch " + metrics.epoch());
            }
          });
      assertThat(h.epochs()).hasSize(4);
      assertThat(h.stopReason()).isEqualTo(StopReason.COMPLETED);
      assertThat(events).contains("batch 1 1/5", "batch 1 5/5", "epoch 1", "epoch 4");
      EpochMetrics last = h.last().orElseThrow();
      assertThat(last.loss()).isLessThan(h.epochs().get(0).loss());
      assertThat(last.valAccuracy()).isGreaterThanOrEqualTo(0.9);
      assertThat(new Trainer(m, TrainingConfig.of(1, OptimizerSpec.rmsprop(1e-3), 7, tmp.resolve("x")))
          .evaluate(val, 0).accuracy()).isGreaterThanOrEqualTo(0.9);
    }
  }

  @Test
  void adamAndSgdMomentumTrainSoftmaxHeads() {
    var train = new SyntheticImages(3, 20, SIZE, 20, 1, false);
    var val = new SyntheticImages(3, 10, SIZE, 20, 2, false);
    for (OptimizerSpec opt : List.of(OptimizerSpec.adam(1e-3), OptimizerSpec.sgd(0.05, 0.9))) {
      try (Model m = TinyModels.cnn(SIZE, 3).build(3)) {
        History h = train(m, TrainingConfig.of(4, opt, 3, tmp.resolve(opt.id())), train, val, TrainingListener.NONE);
        assertThat(h.last().orElseThrow().loss()).as(opt.id()).isLessThan(h.epochs().get(0).loss());
        assertThat(h.last().orElseThrow().valAccuracy()).as(opt.id()).isGreaterThan(0.6);
      }
    }
  }

  @Test
  void onlyTheChosenLayersChange() {
    var train = SyntheticImages.binary(16, SIZE, 16, 1);
    try (Model m = TinyModels.cnn(SIZE, 2).build(5)) {
      float[] conv = m.weight("conv_1_kernel");
      float[] out = m.weight("output_kernel");
      train(m, TrainingConfig.of(1, OptimizerSpec.adam(1e-3), 5, tmp).withTrainLayers(List.of("dense_1", "output")),
          train, train, TrainingListener.NONE);
      assertThat(m.weight("conv_1_kernel")).containsExactly(conv);
      assertThat(m.weight("output_kernel")).isNotEqualTo(out);
    }
  }

  @Test
  void resumedRunContinuesAtTheNextEpochWithTheSameWeights() {
    var train = SyntheticImages.binary(24, SIZE, 16, 1);
    var val = SyntheticImages.binary(8, SIZE, 16, 2);
    TrainingConfig straight = TrainingConfig.of(3, OptimizerSpec.sgd(0.01, 0.9), 9, tmp.resolve("straight"))
        .withKeepBest(false);
    float[] expected;
    try (Model m = TinyModels.cnn(SIZE, 2).build(9)) {
      train(m, straight, train, val, TrainingListener.NONE);
      expected = m.weight("dense_1_kernel");
    }
    Path work = tmp.resolve("resumed");
    TrainingConfig cfg = TrainingConfig.of(3, OptimizerSpec.sgd(0.01, 0.9), 9, work).withKeepBest(false);
    try (Model m = TinyModels.cnn(SIZE, 2).build(9)) {
      AtomicInteger steps = new AtomicInteger();
      // stop during epoch 3: epochs 1 and 2 are checkpointed, the partial epoch is dropped
      History h = new Trainer(m, cfg).fit(train, val, TrainingListener.NONE, () -> steps.incrementAndGet() > 7);
      assertThat(h.stopReason()).isEqualTo(StopReason.CANCELLED);
      assertThat(h.epochs()).extracting(EpochMetrics::epoch).containsExactly(1, 2);
    }
    try (Model m = TinyModels.cnn(SIZE, 2).build(9)) {
      List<Integer> started = new ArrayList<>();
      History h = train(m, cfg, train, val, new TrainingListener() {
        @Override
        public void onTrainingStart(int firstEpoch, int epochs, int batches) {
          started.add(firstEpoch);
        }
      });
      assertThat(started).containsExactly(3);
      assertThat(h.epochs()).extracting(EpochMetrics::epoch).containsExactly(1, 2, 3);
      // equal up to float noise (SGD: RMSprop would magnify the noise of near-zero gradients)
      float[] actual = m.weight("dense_1_kernel");
      for (int i = 0; i < expected.length; i++) {
        assertThat(actual[i]).isCloseTo(expected[i], org.assertj.core.api.Assertions.within(1e-4f));
      }
    }
  }

  @Test
  void earlyStoppingOnValidationLossAndKeepBest() {
    var train = new SyntheticImages(2, 16, SIZE, 16, 1, true); // random labels: validation loss rises
    var val = new SyntheticImages(2, 16, SIZE, 16, 2, true);
    try (Model m = TinyModels.cnn(SIZE, 2).build(4)) {
      History h = train(m, TrainingConfig.of(30, OptimizerSpec.adam(3e-3), 4, tmp).withPatience(2), train, val,
          TrainingListener.NONE);
      assertThat(h.stopReason()).isEqualTo(StopReason.EARLY_STOPPED);
      int best = h.best().orElseThrow().epoch();
      assertThat(h.epochs()).hasSize(best + 2);
      LossAccuracy now = new Trainer(m, TrainingConfig.of(1, OptimizerSpec.adam(1e-3), 4, tmp.resolve("e")))
          .evaluate(val, 0);
      assertThat(now.loss()).isCloseTo(h.best().orElseThrow().valLoss(), org.assertj.core.api.Assertions.within(1e-4));
    }
  }

  @Test
  void badSettingsAreRejectedWithTheReason() {
    assertThatThrownBy(() -> TrainingConfig.of(-1, OptimizerSpec.adam(1e-3), 1, tmp))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("epochs must be 1..10000, got -1");
    assertThatThrownBy(() -> TrainingConfig.of(1_000_000, OptimizerSpec.adam(1e-3), 1, tmp))
        .hasMessageContaining("epochs");
    assertThatThrownBy(() -> OptimizerSpec.rmsprop(-0.1)).hasMessageContaining("learning rate must be > 0");
    assertThatThrownBy(() -> OptimizerSpec.rmsprop(1e6)).hasMessageContaining("learning rate");
    assertThatThrownBy(() -> OptimizerSpec.rmsprop(Double.NaN)).hasMessageContaining("learning rate");
    assertThatThrownBy(() -> OptimizerSpec.parse("adagrad", 1e-3)).hasMessageContaining("unknown optimizer 'adagrad'");
    try (Model m = TinyModels.cnn(SIZE, 2).build(1)) {
      var three = new SyntheticImages(3, 4, SIZE, 4, 1, false);
      assertThatThrownBy(() -> train(m, TrainingConfig.of(1, OptimizerSpec.adam(1e-3), 1, tmp), three, three,
          TrainingListener.NONE)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 classes");
      var big = SyntheticImages.binary(4, 32, 4, 1);
      assertThatThrownBy(() -> train(m, TrainingConfig.of(1, OptimizerSpec.adam(1e-3), 1, tmp.resolve("b")), big, big,
          TrainingListener.NONE)).hasMessageContaining("32x32");
    }
  }

  @Test
  void aLearningRateFarTooHighDivergesWithItsOwnType() {
    var train = SyntheticImages.binary(40, SIZE, 16, 1);
    // a linear network with softmax logits: ReLU units die at this rate (their gradients vanish) and
    // a sigmoid's clipped loss stays finite, but linear logits overflow
    var linear = Sequential.input(SIZE, SIZE, 3).name("linear")
        .add(Conv2D.of(4, 3).name("conv_1"))
        .add(Flatten.of().name("flatten"))
        .add(Dense.of(8).name("dense_1"))
        .add(Dense.of(2).activation(Activation.SOFTMAX).name("output"));
    try (Model m = linear.build(7)) {
      assertThatThrownBy(() -> train(m, TrainingConfig.of(20, OptimizerSpec.sgd(10, 0.9), 7, tmp.resolve("diverge")), train, train,
          TrainingListener.NONE))
          .isInstanceOfSatisfying(TrainingDivergedException.class, e -> {
            assertThat(e.loss()).isNotFinite();
            assertThat(e.epoch()).isBetween(1, 20);
            assertThat(e.step()).isPositive();
          })
          .hasMessageStartingWith("training diverged: loss is ").hasMessageEndingWith("; lower the learning rate");
    }
  }

  @Test
  void aDecayingLearningRateTrainsEachEpochWithItsOwnRate() {
    var one = SyntheticImages.binary(8, SIZE, 16, 1);   // 16 images, one batch: one step per epoch
    var spec = Sequential.input(SIZE, SIZE, 3).name("plain")
        .add(Conv2D.of(4, 3).activation(io.convnet.nn.Activation.RELU).name("conv_1"))
        .add(Flatten.of().name("flatten"))
        .add(Dense.of(1).activation(Activation.SIGMOID).name("output"));
    OptimizerSpec decaying = OptimizerSpec.sgd(0.1, 0).withDecay(0.5);
    assertThat(decaying.learningRate(1)).isEqualTo(0.1);
    assertThat(decaying.learningRate(3)).isEqualTo(0.025);
    try (Model a = spec.build(1); Model b = spec.build(1); Model constant = spec.build(1)) {
      new Trainer(a, TrainingConfig.of(2, decaying, 1, tmp.resolve("a")).withKeepBest(false))
          .fit(one, one, TrainingListener.NONE, () -> false);
      new Trainer(constant, TrainingConfig.of(2, OptimizerSpec.sgd(0.1, 0), 1, tmp.resolve("c")).withKeepBest(false))
          .fit(one, one, TrainingListener.NONE, () -> false);
      // the same two steps by hand: lr 0.1, then a fresh plain SGD (stateless without momentum) at 0.05
      new Trainer(b, TrainingConfig.of(1, OptimizerSpec.sgd(0.1, 0), 1, tmp.resolve("b1")).withKeepBest(false))
          .fit(one, one, TrainingListener.NONE, () -> false);
      new Trainer(b, TrainingConfig.of(1, OptimizerSpec.sgd(0.05, 0), 1, tmp.resolve("b2")).withKeepBest(false))
          .fit(one, one, TrainingListener.NONE, () -> false);
      // TensorFlow's CPU kernels sum in a thread-dependent order, so equal means equal up to float noise:
      // far closer than to the same two epochs at a constant rate
      double byHand = 0;
      double undecayed = 0;
      for (String v : a.variables().keySet()) {
        float[] wa = a.weight(v);
        float[] wb = b.weight(v);
        float[] wc = constant.weight(v);
        for (int i = 0; i < wa.length; i++) {
          byHand = Math.max(byHand, Math.abs(wa[i] - wb[i]));
          undecayed = Math.max(undecayed, Math.abs(wa[i] - wc[i]));
        }
      }
      assertThat(byHand).isLessThan(1e-4).isLessThan(undecayed / 50);
    }
    assertThatThrownBy(() -> OptimizerSpec.adam(1e-3).withDecay(1.5)).hasMessageContaining("decay must be in (0, 1]");
  }

  @Test
  void theSameSeedGivesTheSameWeightsRunAfterRun() {
    // a step's backward pass reads the dense kernel to pass the gradient down; were the kernel's update free to
    // run beside it, the conv gradients would use the old or the new kernel at random (two outcomes, run to run)
    var data = SyntheticImages.binary(8, SIZE, 16, 1);
    var spec = Sequential.input(SIZE, SIZE, 3).name("plain")
        .add(Conv2D.of(4, 3).activation(io.convnet.nn.Activation.RELU).name("conv_1"))
        .add(Flatten.of().name("flatten"))
        .add(Dense.of(1).activation(Activation.SIGMOID).name("output"));
    float[] first = null;
    for (int run = 0; run < 6; run++) {
      try (Model m = spec.build(1)) {
        new Trainer(m, TrainingConfig.of(3, OptimizerSpec.sgd(0.1, 0), 1, tmp.resolve("run" + run)).withKeepBest(false))
            .fit(data, data, TrainingListener.NONE, () -> false);
        float[] w = m.weight("conv_1_kernel");
        if (first == null) {
          first = w;
        }
        for (int i = 0; i < w.length; i++) {
          assertThat(w[i]).as("run %d, weight %d", run, i).isCloseTo(first[i], org.assertj.core.api.Assertions.within(1e-5f));
        }
      }
    }
  }
}
