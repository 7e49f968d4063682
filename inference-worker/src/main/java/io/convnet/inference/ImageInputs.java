package io.convnet.inference;

import io.convnet.data.DataException;
import io.convnet.data.DataRoot;
import io.convnet.data.Preprocessing;
import io.convnet.image.ImageDecodeException;
import io.convnet.image.ImageDecoder;
import io.convnet.image.RgbImage;
import io.convnet.kit.ServiceException;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.Image;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Request images to model input: the bytes (inline, or a file by reference under the data
 * root, never outside it), decoded and preprocessed. Every problem is a {@link ServiceException}
 * naming the image: INVALID_ARGUMENT (not an image, corrupt, a bad reference) or
 * PAYLOAD_TOO_LARGE; nothing a client sends gets further than that.
 */
public final class ImageInputs {
  private static final long MAX_REFERENCED_BYTES = 64L << 20;

  private final Path dataRootPath;
  private final long maxInlineBytes;
  private final ImageDecoder decoder;
  private volatile DataRoot dataRoot;

  public ImageInputs(WorkerConfig config) {
    this.dataRootPath = config.dataRoot();
    this.maxInlineBytes = config.maxImageBytes();
    this.decoder = new ImageDecoder(new ImageDecoder.Limits(MAX_REFERENCED_BYTES, 16_384, config.maxImagePixels()));
  }

  /** How error messages name an image: {@code image 2 ('cat.jpg')}. */
  public static String describe(Image image, int index) {
    String name = image.getName().isEmpty() && image.hasReference() ? image.getReference() : image.getName();
    return "image " + index + (name.isEmpty() ? "" : " ('" + name + "')");
  }

  /** The encoded bytes of {@code image}. */
  public byte[] bytes(Image image, String what) {
    switch (image.getSourceCase()) {
      case DATA -> {
        if (image.getData().size() > maxInlineBytes) {
          throw new ServiceException(ErrorCode.PAYLOAD_TOO_LARGE, what + " has " + image.getData().size()
              + " bytes, more than the limit of " + maxInlineBytes + " (CONVNET_MAX_IMAGE_BYTES)");
        }
        return image.getData().toByteArray();
      }
      case REFERENCE -> {
        Path file = resolve(image.getReference(), what);
        try {
          long size = Files.size(file);
          if (size > MAX_REFERENCED_BYTES) {
            throw new ServiceException(ErrorCode.PAYLOAD_TOO_LARGE, what + ": file has " + size
                + " bytes, more than the limit of " + MAX_REFERENCED_BYTES);
          }
          return Files.readAllBytes(file);
        } catch (IOException e) {
          throw new ServiceException(ErrorCode.INVALID_ARGUMENT, what + ": cannot read " + image.getReference()
              + " (" + e + ")", e);
        }
      }
      default -> throw new ServiceException(ErrorCode.INVALID_ARGUMENT, what + " has neither data nor a reference");
    }
  }

  private Path resolve(String reference, String what) {
    DataRoot root = dataRoot;
    if (root == null) {
      try {
        root = new DataRoot(dataRootPath);
        dataRoot = root;
      } catch (DataException e) {
        throw new ServiceException(ErrorCode.INVALID_ARGUMENT, what + ": images by reference need a data root ("
            + "CONVNET_DATA_ROOT): " + e.getMessage(), e);
      }
    }
    try {
      Path file = root.resolve(reference);
      if (!Files.isRegularFile(file)) {
        throw new ServiceException(ErrorCode.INVALID_ARGUMENT, what + ": '" + reference + "' is not a file");
      }
      return file;
    } catch (DataException e) {
      throw new ServiceException(ErrorCode.INVALID_ARGUMENT, what + ": " + e.getMessage(), e);
    }
  }

  /** Decodes and preprocesses; model input floats. */
  public float[] preprocess(byte[] bytes, String what, Preprocessing preprocessing) {
    RgbImage image;
    try {
      image = decoder.decode(bytes, what);
    } catch (ImageDecodeException e) {
      boolean tooLarge = e.problem().contains("more than the limit");
      throw new ServiceException(tooLarge ? ErrorCode.PAYLOAD_TOO_LARGE : ErrorCode.INVALID_ARGUMENT,
          e.getMessage() + (tooLarge ? " (CONVNET_MAX_IMAGE_PIXELS)" : ""), e);
    } catch (OutOfMemoryError e) {  // a huge image while others are decoded: refuse this one, keep serving
      throw new ServiceException(ErrorCode.BUSY, what + ": not enough memory to decode it now; retry later", e);
    }
    return preprocessing.apply(image);
  }

  /** Bytes, decoded and preprocessed. */
  public float[] load(Image image, String what, Preprocessing preprocessing) {
    return preprocess(bytes(image, what), what, preprocessing);
  }
}
