package io.convnet.serving;

/**
 * A failure of the serving runtime that a client can act on: a {@link Reason} and a message for
 * people that names what the client sent (never file contents or internals). Services map the
 * reason to their wire error code; the reasons are named like those codes where they match.
 */
public class ServingException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why a request cannot be served. */
  public enum Reason {
    /** The request itself is wrong: not an image, a reference outside the data root, a bad version. */
    INVALID_ARGUMENT,
    /** No such model or version. */
    NOT_FOUND,
    /** An image in a format the runtime does not decode but names (HEIC), with how to convert it. */
    UNSUPPORTED_MEDIA_TYPE,
    /** An image over a configured size or pixel limit. */
    PAYLOAD_TOO_LARGE,
    /** Not enough resources for this request now (memory while decoding); retry later. */
    BUSY,
    /** Cannot be served here: shutting down, nothing in the store, a version that failed to load. */
    UNAVAILABLE,
    /** Unavailable for a while only: the model is being loaded or trained. Work for it may wait. */
    NOT_READY
  }

  private final Reason reason;

  public ServingException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public ServingException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
