package io.convnet.serving.image;

import io.convnet.image.ImageDecoder;

/**
 * How large a request image may be.
 *
 * @param maxInlineBytes largest image sent in the request itself
 * @param maxFileBytes   largest file a reference under the data root may name (files do not travel through
 *                       Kafka, so they may be larger than inline images)
 * @param maxPixels      largest width x height decoded (checked from the header, before any pixel memory)
 */
public record ImageLimits(long maxInlineBytes, long maxFileBytes, long maxPixels) {
  /** Largest width or height decoded. */
  public static final int MAX_SIDE = 16_384;
  /** The decoder's defaults: 64 MiB inline or as a file, 64 megapixels. */
  public static final ImageLimits DEFAULT = new ImageLimits(ImageDecoder.Limits.DEFAULT.maxBytes(),
      ImageDecoder.Limits.DEFAULT.maxBytes(), ImageDecoder.Limits.DEFAULT.maxPixels());

  public ImageLimits {
    if (maxInlineBytes <= 0 || maxFileBytes <= 0 || maxPixels <= 0) {
      throw new IllegalArgumentException("image limits must be positive");
    }
  }
}
