package io.convnet.image;

/**
 * An image refused for its size before decoding: more encoded bytes, or more pixels (from the
 * header), than the decoder's {@link ImageDecoder.Limits}. A type of its own so that callers can
 * answer "too large" (HTTP 413) rather than "not an image" without reading the message.
 */
public class ImageTooLargeException extends ImageDecodeException {
  private static final long serialVersionUID = 1L;

  public ImageTooLargeException(String source, String problem) {
    super(source, problem);
  }
}
