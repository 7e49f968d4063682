package io.convnet.serving.batch;

/** What a {@link Batcher} reports of its work (a service records it in its metrics). Called on the batching thread. */
public interface BatchMeters {
  /** An image waited {@code nanos} from being queued to the start of its TensorFlow call. */
  void queued(long nanos);

  /** One TensorFlow call of {@code images} images took {@code computeNanos}. */
  void executed(int images, long computeNanos);

  /** Records nothing. */
  BatchMeters NONE = new BatchMeters() {
    @Override
    public void queued(long nanos) {
    }

    @Override
    public void executed(int images, long computeNanos) {
    }
  };
}
