package io.convnet.kit;

import io.convnet.proto.ErrorCode;
import java.util.function.Supplier;

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

  /**
   * What {@code check} returns, or INVALID_ARGUMENT with the message of the IllegalArgumentException it
   * throws: a limit of the library (a label, a policy, a model name) as the client hears of it.
   */
  public static <T> T checking(Supplier<T> check) {
    try {
      return check.get();
    } catch (IllegalArgumentException e) {
      throw new ServiceException(ErrorCode.INVALID_ARGUMENT, e.getMessage());
    }
  }

  /** {@link #checking} for a check that returns nothing. */
  public static void check(Runnable check) {
    checking(() -> {
      check.run();
      return null;
    });
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
