package io.convnet.keras;

/**
 * A Keras {@code .h5} file that cannot be used: not HDF5, truncated, not in Keras' layout, or not matching the
 * model (missing layers, wrong shapes). The message names the file and what is wrong. An
 * {@link IllegalArgumentException}: the caller gave bad input (the CLI exits with 2, services answer 4xx).
 */
public final class KerasH5Exception extends IllegalArgumentException {
  public KerasH5Exception(String message) {
    super(message);
  }

  public KerasH5Exception(String message, Throwable cause) {
    super(message, cause);
  }
}
