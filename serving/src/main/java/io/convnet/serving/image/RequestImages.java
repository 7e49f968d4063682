package io.convnet.serving.image;

import io.convnet.data.DataException;
import io.convnet.data.DataRoot;
import io.convnet.image.ImageDecodeException;
import io.convnet.image.ImageDecoder;
import io.convnet.image.ImageTooLargeException;
import io.convnet.image.RgbImage;
import io.convnet.image.UnsupportedImageFormatException;
import io.convnet.serving.ServingException;
import io.convnet.serving.ServingException.Reason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The images requests send, to decoded pixels: bytes sent inline, or a file a reference names under
 * the data root ({@link DataRoot#resolve}: no absolute paths, no {@code ..}, and no symbolic link
 * that leads out), within {@link ImageLimits}. Every problem is a {@link ServingException} naming the
 * image as the caller described it ({@code what}), never showing a file's content: INVALID_ARGUMENT
 * (not an image, corrupt, a bad reference), UNSUPPORTED_MEDIA_TYPE (HEIC), PAYLOAD_TOO_LARGE, or BUSY when
 * memory runs short.
 */
public final class RequestImages {
  private static final Logger LOG = LoggerFactory.getLogger(RequestImages.class);

  private final Path dataRootPath;
  private final ImageLimits limits;
  private final ImageDecoder decoder;
  /** Resolved on first use: a service without a data root still takes inline images. */
  private volatile DataRoot dataRoot;

  public RequestImages(Path dataRoot, ImageLimits limits) {
    this.dataRootPath = dataRoot;
    this.limits = limits;
    this.decoder = new ImageDecoder(new ImageDecoder.Limits(Math.max(limits.maxInlineBytes(), limits.maxFileBytes()),
        ImageLimits.MAX_SIDE, limits.maxPixels()));
  }

  /**
   * The encoded bytes of a request image: {@code inline} when not null, else the file {@code reference}
   * names under the data root.
   */
  public byte[] bytes(byte[] inline, String reference, String what) {
    if (inline != null) {
      if (inline.length > limits.maxInlineBytes()) {
        throw new ServingException(Reason.PAYLOAD_TOO_LARGE, what + " has " + inline.length
            + " bytes, more than the limit of " + limits.maxInlineBytes());
      }
      return inline;
    }
    if (reference == null || reference.isEmpty()) {
      throw new ServingException(Reason.INVALID_ARGUMENT, what + " has neither data nor a reference");
    }
    DataRoot root = dataRoot(what);
    Path file = resolve(root, reference, what);
    try {
      long size = Files.size(file);
      if (size > limits.maxFileBytes()) {
        throw new ServingException(Reason.PAYLOAD_TOO_LARGE, what + ": file has " + size
            + " bytes, more than the limit of " + limits.maxFileBytes());
      }
      // opened through the root again: a link swapped in since the check cannot lead out
      return decoder.readFile(file, what, root::open);
    } catch (IOException | ImageDecodeException | DataException e) {
      throw new ServingException(Reason.INVALID_ARGUMENT, what + ": cannot read '" + reference + "'", e);
    }
  }

  private DataRoot dataRoot(String what) {
    DataRoot root = dataRoot;
    if (root == null) {
      try {
        root = new DataRoot(dataRootPath);
        dataRoot = root;
      } catch (DataException e) {
        LOG.warn("images by reference need a data root: {}", e.getMessage());
        throw new ServingException(Reason.INVALID_ARGUMENT, what + ": images by reference need a data root, and "
            + "this service has none", e);
      }
    }
    return root;
  }

  private static Path resolve(DataRoot root, String reference, String what) {
    Path file;
    try {
      file = root.resolve(reference);
    } catch (DataException e) {
      throw new ServingException(Reason.INVALID_ARGUMENT, what + ": " + e.getMessage(), e);
    }
    if (!Files.isRegularFile(file)) {
      throw new ServingException(Reason.INVALID_ARGUMENT, what + ": '" + reference + "' is not a file");
    }
    return file;
  }

  /** Decodes encoded bytes (JPEG, PNG, WebP, GIF) within the pixel limit, at full size. */
  public RgbImage decode(byte[] encoded, String what) {
    return decode(encoded, what, 0, 0);
  }

  /**
   * Decodes encoded bytes for use at {@code width x height} ({@link ImageDecoder#decodeForSize}: a large
   * JPEG is decoded reduced, never below that size, as training decodes it); 0, 0 decodes at full size.
   */
  public RgbImage decode(byte[] encoded, String what, int width, int height) {
    try {
      return width > 0 && height > 0 ? decoder.decodeForSize(encoded, what, width, height) : decoder.decode(encoded, what);
    } catch (UnsupportedImageFormatException e) {
      throw new ServingException(Reason.UNSUPPORTED_MEDIA_TYPE, e.getMessage(), e);
    } catch (ImageTooLargeException e) {
      throw new ServingException(Reason.PAYLOAD_TOO_LARGE, e.getMessage(), e);
    } catch (ImageDecodeException e) {
      throw new ServingException(Reason.INVALID_ARGUMENT, "cannot decode " + e.getMessage(), e);
    } catch (OutOfMemoryError e) {  // a huge image while others are decoded: refuse this one, keep serving
      throw new ServingException(Reason.BUSY, what + ": not enough memory to decode it now; retry later", e);
    }
  }

  /** {@link #bytes}, then {@link #decode} at full size. */
  public RgbImage load(byte[] inline, String reference, String what) {
    return decode(bytes(inline, reference, what), what);
  }

  /** {@link #bytes}, then {@link #decode} for use at {@code width x height}. */
  public RgbImage load(byte[] inline, String reference, String what, int width, int height) {
    return decode(bytes(inline, reference, what), what, width, height);
  }
}
