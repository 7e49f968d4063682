package io.convnet.data;

/**
 * A data set that cannot be used: a missing or empty folder, too few classes, a class without images,
 * an unreadable image, a path outside the data root. The message names the folder, file or path.
 */
public class DataException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DataException(String message) {
    super(message);
  }

  public DataException(String message, Throwable cause) {
    super(message, cause);
  }
}
