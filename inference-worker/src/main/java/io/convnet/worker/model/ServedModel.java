package io.convnet.worker.model;

import io.convnet.serving.batch.Batcher;
import io.convnet.serving.classify.Classifier;
import io.convnet.serving.image.ModelInput;
import io.convnet.worker.metrics.InferenceMetrics;
import java.util.List;

/** One model version as this worker serves it: the runtime's classifier and the version's meters. */
public record ServedModel(Classifier classifier, InferenceMetrics.Meters meters) implements AutoCloseable {

  public List<String> labels() {
    return classifier.labels();
  }

  public ModelInput input() {
    return classifier.input();
  }

  public Batcher batcher() {
    return classifier.batcher();
  }

  @Override
  public void close() {
    classifier.close();
  }
}
