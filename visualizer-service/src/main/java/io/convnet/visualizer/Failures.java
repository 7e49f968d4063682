package io.convnet.visualizer;

import io.convnet.data.DataException;
import io.convnet.kit.ServiceException;
import io.convnet.proto.ErrorCode;
import io.convnet.serving.ServingException;

/** Maps what the serving runtime and the visualization library throw to what a client can act on. */
final class Failures {
  private Failures() {}

  static ServiceException of(Throwable t) {
    if (t instanceof ServiceException se) {
      return se;
    }
    if (t instanceof ServingException e) {
      ErrorCode code = e.reason() == ServingException.Reason.NOT_READY ? ErrorCode.UNAVAILABLE
          : ErrorCode.valueOf(e.reason().name());
      return new ServiceException(code, e.getMessage(), e);
    }
    if (t instanceof IllegalArgumentException || t instanceof DataException) {
      return new ServiceException(ErrorCode.INVALID_ARGUMENT, t.getMessage(), t);
    }
    return ServiceException.of(t);
  }

  static ServiceException invalid(String message) {
    return new ServiceException(ErrorCode.INVALID_ARGUMENT, message);
  }
}
