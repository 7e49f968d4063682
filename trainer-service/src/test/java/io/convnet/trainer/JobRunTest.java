package io.convnet.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.convnet.data.DataException;
import io.convnet.proto.ErrorCode;
import io.convnet.train.TrainingDivergedException;
import org.junit.jupiter.api.Test;

/** How a failed job's error code is decided: by the failure's type, never by its wording. */
class JobRunTest {

  @Test
  void aDivergedTrainingIsTheClientsToFixWhateverItsMessage() {
    assertThat(JobRun.code(new TrainingDivergedException(Double.NaN, 3, 7))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(JobRun.code(new IllegalStateException("training diverged: loss is NaN")))
        .as("an internal failure that merely reads like divergence").isEqualTo(ErrorCode.INTERNAL);
  }

  @Test
  void badParametersAndDataAreTheClientsOtherFailuresOurs() {
    assertThat(JobRun.code(new IllegalArgumentException("epochs must be 1..10000"))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(JobRun.code(new DataException("no class sub-folders"))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(JobRun.code(new IllegalStateException("session closed"))).isEqualTo(ErrorCode.INTERNAL);
    assertThat(JobRun.code(new OutOfMemoryError())).isEqualTo(ErrorCode.INTERNAL);
  }
}
