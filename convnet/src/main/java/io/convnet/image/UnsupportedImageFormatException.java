package io.convnet.image;

/**
 * An image in a format we recognise but do not decode (HEIC), with advice on how to convert it. A
 * service answers it with 415 Unsupported Media Type rather than 400: the bytes are a fine image, just
 * not one we read.
 */
public class UnsupportedImageFormatException extends ImageDecodeException {
  private static final long serialVersionUID = 1L;

  private final String format;

  public UnsupportedImageFormatException(String source, String format, String problem) {
    super(source, problem);
    this.format = format;
  }

  /** The format's name, e.g. {@code "HEIC"}. */
  public String format() {
    return format;
  }
}
