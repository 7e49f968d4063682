package io.convnet.image;

/**
 * An image that cannot be decoded. The message names the source (a file path, or a request part) and
 * the problem, e.g. {@code "/data/train/cat/cat.1.jpg: truncated JPEG (data ends before the image is
 * complete)"}; {@link #problem()} alone suits a reply to a client that already knows which image it sent.
 */
public class ImageDecodeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String source;
  private final String problem;

  public ImageDecodeException(String source, String problem) {
    this(source, problem, null);
  }

  public ImageDecodeException(String source, String problem, Throwable cause) {
    super(source + ": " + problem, cause);
    this.source = source;
    this.problem = problem;
  }

  /** The file path or request part the image came from. */
  public String source() {
    return source;
  }

  /** What is wrong, without the source. */
  public String problem() {
    return problem;
  }
}
