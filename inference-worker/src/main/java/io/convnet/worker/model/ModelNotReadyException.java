package io.convnet.worker.model;

import io.convnet.kit.ServiceException;
import io.convnet.proto.ErrorCode;

/** UNAVAILABLE for a while only: the model is being trained or loaded. Score records for it wait. */
public final class ModelNotReadyException extends ServiceException {
  private static final long serialVersionUID = 1L;

  public ModelNotReadyException(String message) {
    super(ErrorCode.UNAVAILABLE, message);
  }
}
