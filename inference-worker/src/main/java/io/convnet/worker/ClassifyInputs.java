package io.convnet.worker;

import io.convnet.kit.ServiceException;
import io.convnet.proto.ClassifyRequest;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.FloatTensor;
import io.convnet.proto.Image;
import io.convnet.serving.image.ModelInput;
import io.convnet.worker.model.WorkerModels;
import java.util.Arrays;
import java.util.function.Function;

/**
 * The model inputs of a classify request, one per batch item: its encoded images (decoded and
 * preprocessed by the caller's function) or the rows of its preprocessed float tensor, which go
 * to the model as they are once their shape is the model's input {@code [n, h, w, c]} and every
 * value is finite. Anything else is INVALID_ARGUMENT naming the item.
 */
final class ClassifyInputs {
  private ClassifyInputs() {
  }

  /** How many inputs the request has (images, or the tensor's first dimension). */
  static int count(ClassifyRequest request) {
    boolean images = request.getImagesCount() > 0;
    if (images && request.hasTensor()) {
      throw new ServiceException(ErrorCode.INVALID_ARGUMENT, "the request has both images and a tensor; send one of them");
    }
    if (images) {
      return request.getImagesCount();
    }
    if (!request.hasTensor() || request.getTensor().getShapeCount() == 0 || request.getTensor().getShape(0) < 1) {
      throw new ServiceException(ErrorCode.INVALID_ARGUMENT, "the request has no image");
    }
    long n = request.getTensor().getShape(0);
    if (n > Integer.MAX_VALUE) {
      throw new ServiceException(ErrorCode.INVALID_ARGUMENT, "tensor of " + n + " rows");
    }
    return (int) n;
  }

  /** How error messages name input {@code index}: {@code image 2 ('cat.jpg')} or {@code tensor row 2}. */
  static String describe(ClassifyRequest request, int index) {
    return request.hasTensor() ? "tensor row " + index : WorkerModels.describe(request.getImages(index), index);
  }

  /**
   * Input {@code index} as model input floats.
   *
   * @param model  the model's input (its height, width and channels)
   * @param decode decodes and preprocesses an image (the request's images only)
   */
  static float[] input(ClassifyRequest request, int index, ModelInput model, Function<Image, float[]> decode) {
    if (!request.hasTensor()) {
      return decode.apply(request.getImages(index));
    }
    int[] modelInput = {model.height(), model.width(), model.preprocessing().channels()};
    FloatTensor tensor = request.getTensor();
    long[] expected = {tensor.getShape(0), modelInput[0], modelInput[1], modelInput[2]};
    long[] shape = tensor.getShapeList().stream().mapToLong(Long::longValue).toArray();
    if (!Arrays.equals(shape, expected)) {
      throw new ServiceException(ErrorCode.INVALID_ARGUMENT, "tensor shape " + Arrays.toString(shape)
          + " is not the model's input " + Arrays.toString(expected) + " (n, height, width, channels)");
    }
    int size = modelInput[0] * modelInput[1] * modelInput[2];
    if ((long) tensor.getValuesCount() != shape[0] * size) {
      throw new ServiceException(ErrorCode.INVALID_ARGUMENT, "tensor of shape " + Arrays.toString(shape) + " has "
          + tensor.getValuesCount() + " values, not " + shape[0] * size);
    }
    float[] row = new float[size];
    int offset = index * size;
    for (int i = 0; i < size; i++) {
      float v = tensor.getValues(offset + i);
      if (!Float.isFinite(v)) {
        throw new ServiceException(ErrorCode.INVALID_ARGUMENT, "tensor row " + index + " has a value that is not finite ("
            + v + ") at " + Arrays.toString(position(i, modelInput)));
      }
      row[i] = v;
    }
    return row;
  }

  private static int[] position(int i, int[] hwc) {
    return new int[] {i / (hwc[1] * hwc[2]), i / hwc[2] % hwc[1], i % hwc[2]};
  }
}
