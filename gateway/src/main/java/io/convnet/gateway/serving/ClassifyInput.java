package io.convnet.gateway.serving;

import io.convnet.proto.ClassifyRequest;
import io.convnet.proto.FloatTensor;
import io.convnet.proto.Image;
import java.util.List;

/**
 * What a request asks a model to classify, whichever protocol it came in: encoded images (the
 * worker decodes and preprocesses them) or one preprocessed float tensor {@code [n, h, w, c]} (the
 * worker checks its shape against the model's input and feeds it as it is).
 */
public final class ClassifyInput {
  private final List<Image> images;
  private final FloatTensor tensor;

  private ClassifyInput(List<Image> images, FloatTensor tensor) {
    this.images = images;
    this.tensor = tensor;
  }

  public static ClassifyInput images(List<Image> images) {
    return new ClassifyInput(List.copyOf(images), null);
  }

  /** A row-major float tensor; {@code values.length} must be the product of {@code shape}. */
  public static ClassifyInput tensor(long[] shape, float[] values) {
    FloatTensor.Builder t = FloatTensor.newBuilder();
    for (long d : shape) {
      t.addShape(d);
    }
    for (float v : values) {
      t.addValues(v);
    }
    return new ClassifyInput(List.of(), t.build());
  }

  /** Images, or rows of the tensor. */
  public int count() {
    return tensor == null ? images.size() : (int) tensor.getShape(0);
  }

  /** The images (empty for a tensor input): their names label our own API's predictions. */
  public List<Image> imageList() {
    return images;
  }

  void addTo(ClassifyRequest.Builder request) {
    if (tensor == null) {
      request.addAllImages(images);
    } else {
      request.setTensor(tensor);
    }
  }
}
