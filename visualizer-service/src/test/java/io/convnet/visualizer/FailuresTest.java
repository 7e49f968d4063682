package io.convnet.visualizer;

import static org.assertj.core.api.Assertions.assertThat;

import io.convnet.proto.ErrorCode;
import io.convnet.serving.ServingException;
import io.convnet.serving.ServingException.Reason;
import org.junit.jupiter.api.Test;

class FailuresTest {

  @Test
  void everyRuntimeFailureBecomesTheErrorCodeOfItsReason() {
    for (Reason reason : Reason.values()) {
      assertThat(Failures.of(new ServingException(reason, "why")).code()).as(reason.name())
          .isEqualTo(reason == Reason.NOT_READY ? ErrorCode.UNAVAILABLE : ErrorCode.valueOf(reason.name()));
    }
    assertThat(Failures.of(new IllegalArgumentException("unknown layer 'x'")).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
  }
}
