package io.convnet.kit;

import io.convnet.proto.ErrorCode;

/** A failure a client can act on: an {@link ErrorCode} and a message for people. */
public class ServiceException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final ErrorCode code;

  public ServiceException(ErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  public ServiceException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }

  /** {@code t} itself when it is a ServiceException, else an INTERNAL one wrapping it. */
  public static ServiceException of(Throwable t) {
    if (t instanceof ServiceException se) {
      return se;
    }
    String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return new ServiceException(ErrorCode.INTERNAL, message, t);
  }
}
