package io.convnet.serving.batch;

/**
 * One image's outcome of a batched TensorFlow call.
 *
 * @param probabilities one per label, in the model's label order
 * @param queueNanos    from the moment the image was queued to the start of its call
 * @param computeNanos  the call's duration (shared by the whole batch)
 * @param batchSize     images in that call
 */
public record Scored(float[] probabilities, long queueNanos, long computeNanos, int batchSize) {

  /** Receives one image's outcome: {@code scored} or {@code error}. */
  @FunctionalInterface
  public interface Completion {
    void done(Scored scored, Throwable error);
  }
}
