package io.convnet.gateway.serving;

/**
 * How large a serving request may be, the same over HTTP and gRPC: one image up to
 * {@code maxImageBytes}; a body (JSON, multipart, tensors, a gRPC message) up to what one Kafka
 * record holds besides the rest of the request.
 *
 * @param maxImageBytes largest image, alone or in a body of several
 * @param maxBodyBytes  largest request body or gRPC message
 */
public record ServingLimits(long maxImageBytes, long maxBodyBytes) {
  /** Room for the rest of a Kafka record besides the request's data. */
  private static final int RECORD_HEADROOM = 64 * 1024;

  /** From CONVNET_MAX_IMAGE_BYTES and CONVNET_MAX_MESSAGE_BYTES. */
  public static ServingLimits of(long maxImageBytes, long maxMessageBytes) {
    // JSON and multipart may carry several images (base64 adds a third): bounded by what one Kafka record holds
    return new ServingLimits(maxImageBytes, Math.max(maxImageBytes, maxMessageBytes - RECORD_HEADROOM));
  }
}
