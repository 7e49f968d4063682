package io.convnet.arch;

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

/** The CNN of the Keras "cats vs dogs" tutorial: 4 conv + pool blocks, dropout, dense 512, 128, sigmoid. */
public final class TutorialCnn implements Architecture {
  public static final String ID = "tutorial-cnn";

  @Override
  public Sequential define(int size, int classes) {
    return Sequential.input(size, size, 3).name(defaultModelName())
        .add(Conv2D.of(32, 3).activation(RELU).padding(SAME).name("conv_1"))
        .add(MaxPooling2D.of(2).name("maxpool_1"))
        .add(Conv2D.of(64, 3).activation(RELU).padding(SAME).name("conv_2"))
        .add(MaxPooling2D.of(2).name("maxpool_2"))
        .add(Conv2D.of(128, 3).activation(RELU).padding(SAME).name("conv_3"))
        .add(MaxPooling2D.of(2).name("maxpool_3"))
        .add(Conv2D.of(128, 3).activation(RELU).padding(SAME).name("conv_4"))
        .add(MaxPooling2D.of(2).name("maxpool_4"))
        .add(Flatten.of().name("flatten"))
        .add(Dropout.of(0.5).name("dropout"))
        .add(Dense.of(512).activation(RELU).name("dense_1"))
        .add(Dense.of(128).activation(RELU).name("dense_2"))
        .add(classes == 2 ? Dense.of(1).activation(SIGMOID).name("output")
            : Dense.of(classes).activation(SOFTMAX).name("output"));
  }

  @Override
  public String id() {
    return ID;
  }


  @Override
  public int defaultImageSize() {
    return 150;
  }

  @Override
  public String preprocessing() {
    return "RESCALE";
  }
}
