package io.convnet.arch;

import io.convnet.nn.Sequential;

/** A network design chosen by id ({@code tutorial-cnn}, later {@code vgg16}). */
public interface Architecture {

  String id();

  /** Served model name when none is configured. */
  String defaultModelName();

  /** Input height and width it was designed for. */
  int defaultImageSize();

  /** Preprocessing its inputs expect: {@code RESCALE} (x/255) or {@code CAFFE}. */
  String preprocessing();

  /** The network for images of {@code size x size x 3} and {@code classes} classes. */
  Sequential define(int imageSize, int classes);
}
