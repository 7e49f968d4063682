package io.convnet.arch;

import io.convnet.data.Augmentation;
import io.convnet.limits.TrainingLimits;
import io.convnet.nn.Sequential;

/** A network design chosen by id ({@code tutorial-cnn}, {@code vgg16}, {@code lenet-5}, ...). */
public interface Architecture {

  String id();

  /** Served model name when none is configured. */
  default String defaultModelName() {
    return TrainingLimits.defaultModel(id());
  }

  /** Input height and width it was designed for. */
  int defaultImageSize();

  /** Preprocessing its inputs expect: {@code RESCALE} (x/255), {@code CAFFE} or {@code MNIST} (1 channel). */
  String preprocessing();

  /** The network for inputs of {@code size x size} (channels as its preprocessing gives) and {@code classes} classes. */
  Sequential define(int imageSize, int classes);

  /** The augmentation its training uses when augmentation is on: the tutorial's, unless it says otherwise. */
  default Augmentation augmentation() {
    return Augmentation.tutorial();
  }
}
