package io.convnet.worker.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.convnet.image.ImageDecodeException;
import io.convnet.kit.ServiceException;
import io.convnet.proto.ErrorCode;
import io.convnet.serving.ServingException;
import io.convnet.serving.ServingException.Reason;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class WorkerModelsTest {

  @Test
  void everyRuntimeFailureBecomesTheErrorCodeOfItsReason() {
    for (Reason reason : Reason.values()) {
      ServiceException e = WorkerModels.failure(new CompletionException(new ServingException(reason, "why")));
      assertThat(e.getMessage()).isEqualTo("why");
      assertThat(e.code()).as(reason.name()).isEqualTo(reason == Reason.NOT_READY ? ErrorCode.UNAVAILABLE
          : ErrorCode.valueOf(reason.name()));
    }
    assertThat(WorkerModels.failure(new ServingException(Reason.NOT_READY, "being loaded")))
        .as("score records for it wait").isInstanceOf(ModelNotReadyException.class);
    ImageDecodeException decode = new ImageDecodeException("image 0", "truncated JPEG");
    assertThat(WorkerModels.failure(new ServingException(Reason.INVALID_ARGUMENT, "bad", decode)).getCause())
        .as("dead letters name the decoder's exception").isSameAs(decode);
    assertThat(WorkerModels.failure(new IllegalStateException("bug")).code()).isEqualTo(ErrorCode.INTERNAL);
  }
}
