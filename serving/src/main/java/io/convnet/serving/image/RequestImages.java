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
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The images requests send, to decoded pixels: bytes sent inline, a file a reference names under
 * the data root ({@link DataRoot#resolve}: no absolute paths, no {@code ..}, and no symbolic link
 * that leads out), or an upload the gateway staged in the upload folder (a plain file name, no link),
 * within {@link ImageLimits}. Both folders are read through {@link DataRoot#open}, so a link swapped in
 * cannot lead out. Every problem is a {@link ServingException} naming the image as the caller described
 * it ({@code what}), never showing a file's content: INVALID_ARGUMENT (not an image, corrupt, a bad
 * reference or upload), UNSUPPORTED_MEDIA_TYPE (HEIC), PAYLOAD_TOO_LARGE, or BUSY when memory runs short.
 */
public final class RequestImages {
  private static final Logger LOG = LoggerFactory.getLogger(RequestImages.class);

  /** A staged upload's name: the gateway's {@code <instance>-<uuid>.img}; never a path, never "." or "..". */
  private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,254}");

  private final Folder data;
  private final Folder uploads;
  private final ImageLimits limits;
  private final ImageDecoder decoder;

  /**
   * @param dataRoot  where references are resolved
   * @param uploadDir where the gateway stages uploads; null: this service takes none
   */
  public RequestImages(Path dataRoot, Path uploadDir, ImageLimits limits) {
    this.data = new Folder(dataRoot, "images by reference need a data root, and this service has none");
    this.uploads = new Folder(uploadDir, "the image was staged in an upload folder, and this service has none "
        + "(it must share the gateway's)");
    this.limits = limits;
    this.decoder = new ImageDecoder(new ImageDecoder.Limits(Math.max(limits.maxInlineBytes(), limits.maxFileBytes()),
        ImageLimits.MAX_SIDE, limits.maxPixels()));
  }

  /**
   * The encoded bytes of a request image: {@code inline} when not null, else the staged {@code upload}
   * when not empty, else the file {@code reference} names under the data root.
   */
  public byte[] bytes(byte[] inline, String reference, String upload, String what) {
    if (inline != null) {
      if (inline.length > limits.maxInlineBytes()) {
        throw new ServingException(Reason.PAYLOAD_TOO_LARGE, what + " has " + inline.length
            + " bytes, more than the limit of " + limits.maxInlineBytes());
      }
      return inline;
    }
    if (upload != null && !upload.isEmpty()) {
      return upload(upload, what);
    }
    if (reference == null || reference.isEmpty()) {
      throw new ServingException(Reason.INVALID_ARGUMENT, what + " has neither data nor a reference");
    }
    DataRoot root = data.root(what);
    Path file;
    try {
      file = root.resolve(reference);
    } catch (DataException e) {
      throw new ServingException(Reason.INVALID_ARGUMENT, what + ": " + e.getMessage(), e);
    }
    if (!Files.isRegularFile(file)) {
      throw new ServingException(Reason.INVALID_ARGUMENT, what + ": '" + reference + "' is not a file");
    }
    return read(root, file, "'" + reference + "'", limits.maxFileBytes(), what);
  }

  /** An upload is an inline image staged elsewhere: the inline limit applies, and the gateway makes no links. */
  private byte[] upload(String name, String what) {
    if (!PLAIN_NAME.matcher(name).matches()) {
      throw new ServingException(Reason.INVALID_ARGUMENT, what + ": upload '" + name + "' is not a plain file name");
    }
    DataRoot root = uploads.root(what);
    Path file = root.root().resolve(name);
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new ServingException(Reason.INVALID_ARGUMENT, what + ": upload '" + name + "' does not exist (an "
          + "upload lives as long as the request that staged it)");
    }
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new ServingException(Reason.INVALID_ARGUMENT, what + ": upload '" + name + "' is not a regular file");
    }
    return read(root, file, "upload '" + name + "'", limits.maxInlineBytes(), what);
  }

  private byte[] read(DataRoot root, Path file, String shown, long maxBytes, String what) {
    try {
      long size = Files.size(file);
      if (size > maxBytes) {
        throw new ServingException(Reason.PAYLOAD_TOO_LARGE, what + ": file has " + size
            + " bytes, more than the limit of " + maxBytes);
      }
      // opened through the root again: a link swapped in since the check cannot lead out
      return decoder.readFile(file, what, root::open);
    } catch (IOException | ImageDecodeException | DataException e) {
      throw new ServingException(Reason.INVALID_ARGUMENT, what + ": cannot read " + shown, e);
    }
  }

  /** A folder images are read under, opened on first use: a service without one still takes inline images. */
  private static final class Folder {
    private final Path path;
    private final String missing;
    private volatile DataRoot root;

    Folder(Path path, String missing) {
      this.path = path;
      this.missing = missing;
    }

    DataRoot root(String what) {
      DataRoot r = root;
      if (r == null) {
        try {
          if (path == null) {
            throw new DataException("not configured");
          }
          r = new DataRoot(path);
          root = r;
        } catch (DataException e) {
          LOG.warn("{}: {}", missing, e.getMessage());
          throw new ServingException(Reason.INVALID_ARGUMENT, what + ": " + missing, e);
        }
      }
      return r;
    }
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
    return decode(bytes(inline, reference, null, what), what);
  }

  /** {@link #bytes}, then {@link #decode} for use at {@code width x height}. */
  public RgbImage load(byte[] inline, String reference, String upload, String what, int width, int height) {
    return decode(bytes(inline, reference, upload, what), what, width, height);
  }
}
