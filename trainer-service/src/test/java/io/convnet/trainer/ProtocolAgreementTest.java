package io.convnet.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convnet.arch.Architectures;
import io.convnet.bundle.BundleStore;
import io.convnet.job.TrainingRequest;
import io.convnet.limits.TrainingLimits;
import io.convnet.train.OptimizerSpec;
import io.convnet.train.TrainingConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The gateway validates with {@link TrainingLimits} (no TensorFlow there): convnet must enforce exactly those
 * limits, and know exactly those architectures and optimizers.
 */
class ProtocolAgreementTest {

  @Test
  void theArchitecturesTheGatewayAcceptsAreTheOnesConvnetKnows() {
    assertThat(TrainingLimits.ARCHITECTURES).containsExactlyInAnyOrderElementsOf(Architectures.ids());
  }

  @Test
  void optimizersAndRangesAgree() {
    for (String optimizer : TrainingLimits.OPTIMIZERS) {
      assertThat(OptimizerSpec.parse(optimizer, 1e-3).id()).isEqualTo(optimizer);
      assertThat(OptimizerSpec.parse(optimizer, TrainingLimits.MAX_LEARNING_RATE).learningRate())
          .isEqualTo(TrainingLimits.MAX_LEARNING_RATE);
    }
    assertThatThrownBy(() -> OptimizerSpec.parse("adam", Math.nextUp(TrainingLimits.MAX_LEARNING_RATE)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(TrainingConfig.requireEpochs(TrainingLimits.MAX_EPOCHS)).isEqualTo(TrainingLimits.MAX_EPOCHS);
    assertThatThrownBy(() -> TrainingConfig.requireEpochs(TrainingLimits.MAX_EPOCHS + 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(TrainingRequest.MAX_BATCH_SIZE).isEqualTo(TrainingLimits.MAX_BATCH_SIZE);
    assertThat(io.convnet.transfer.TransferOptions.DEFAULT_FINE_TUNE_LR)
        .isEqualTo(TrainingLimits.DEFAULT_FINE_TUNE_LEARNING_RATE);
  }

  @Test
  void modelNamesAgree() {
    for (String name : List.of("cats-vs-dogs", "a", "v2.1_x", "x".repeat(64), "x".repeat(65), "Cats", "-a", ".a",
        "a b", "a/b", "")) {
      boolean gateway = TrainingLimits.MODEL_NAME.matcher(name).matches();
      boolean convnet;
      try {
        BundleStore.checkModelName(name);
        convnet = true;
      } catch (IllegalArgumentException e) {
        convnet = false;
      }
      assertThat(gateway).as("'" + name + "'").isEqualTo(convnet);
    }
  }
}
