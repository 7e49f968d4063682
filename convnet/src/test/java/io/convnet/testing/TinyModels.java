package io.convnet.testing;

import static io.convnet.nn.Activation.RELU;
import static io.convnet.nn.Activation.SIGMOID;
import static io.convnet.nn.Activation.SOFTMAX;
import static io.convnet.nn.Padding.SAME;

import io.convnet.nn.Conv2D;
import io.convnet.nn.Dense;
import io.convnet.nn.Dropout;
import io.convnet.nn.Flatten;
import io.convnet.nn.MaxPooling2D;
import io.convnet.nn.Sequential;

/** Small networks that train in seconds, shaped like the tutorial CNN. */
public final class TinyModels {
  private TinyModels() {}

  public static Sequential cnn(int size, int classes) {
    return Sequential.input(size, size, 3).name("tiny")
        .add(Conv2D.of(8, 3).activation(RELU).padding(SAME).name("conv_1"))
        .add(MaxPooling2D.of(2).name("maxpool_1"))
        .add(Conv2D.of(8, 3).activation(RELU).padding(SAME).name("conv_2"))
        .add(MaxPooling2D.of(2).name("maxpool_2"))
        .add(Flatten.of().name("flatten"))
        .add(Dropout.of(0.5).name("dropout"))
        .add(Dense.of(16).activation(RELU).name("dense_1"))
        .add(classes == 2 ? Dense.of(1).activation(SIGMOID).name("output")
            : Dense.of(classes).activation(SOFTMAX).name("output"));
  }
}
