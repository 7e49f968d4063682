package io.convnet.visualizer;

import io.convnet.data.DataException;
import io.convnet.image.ImageDecodeException;
import io.convnet.kit.ServiceException;
import io.convnet.proto.ErrorCode;

/** Maps what the visualization library throws to what a client can act on. */
final class Failures {
  private Failures() {}

  static ServiceException of(Throwable t) {
    if (t instanceof ServiceException se) {
      return se;
    }
    if (t instanceof ImageDecodeException e) {
      return new ServiceException(ErrorCode.INVALID_ARGUMENT, "cannot decode the image: " + e.getMessage(), e);
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
