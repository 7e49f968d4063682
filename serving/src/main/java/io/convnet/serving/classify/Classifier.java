package io.convnet.serving.classify;

import io.convnet.bundle.Manifest;
import io.convnet.infer.Predictor;
import io.convnet.serving.batch.Batcher;
import io.convnet.serving.image.ModelInput;
import java.util.List;

/**
 * One model version loaded for classification: its TensorFlow session, what its input is, and its
 * batcher. Closing stops the batcher and frees the session's native memory.
 */
public final class Classifier implements AutoCloseable {
  private final Predictor predictor;
  private final ModelInput input;
  private final Batcher batcher;

  Classifier(Predictor predictor, ModelInput input, Batcher batcher) {
    this.predictor = predictor;
    this.input = input;
    this.batcher = batcher;
  }

  public Manifest manifest() {
    return predictor.manifest();
  }

  /** Class labels, in the order of the probabilities. */
  public List<String> labels() {
    return predictor.labels();
  }

  public ModelInput input() {
    return input;
  }

  public Batcher batcher() {
    return batcher;
  }

  @Override
  public void close() {
    batcher.stop();
    predictor.close();
  }
}
