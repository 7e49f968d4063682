package io.convnet.arch;

import static io.convnet.nn.Activation.RELU;
import static io.convnet.nn.Activation.SOFTMAX;

import io.convnet.data.Augmentation;
import io.convnet.nn.Conv2D;
import io.convnet.nn.Dense;
import io.convnet.nn.Flatten;
import io.convnet.nn.MaxPooling2D;
import io.convnet.nn.Sequential;

/**
 * LeNet-5 on handwritten digits, as the ConvNet tutorial draws it (after LeCun et al. 1998): a 32x32x1 input
 * (MNIST's 28x28 digits padded by 2 pixels, in preprocessing: {@code MNIST} mode), six 5x5 convolutions, 2x2 max
 * pooling, sixteen 5x5 convolutions, 2x2 max pooling, then fully connected layers of 120, 100 and 10 units, the
 * last a softmax. ReLU and max pooling stand in for the paper's scaled tanh and trainable subsampling, as in the
 * tutorial; 63,802 parameters for 10 classes.
 */
public final class LeNet5 implements Architecture {
  public static final String ID = "lenet-5";

  @Override
  public Sequential define(int size, int classes) {
    return Sequential.input(size, size, 1).name(defaultModelName())
        .add(Conv2D.of(6, 5).activation(RELU).name("conv_1"))
        .add(MaxPooling2D.of(2).name("maxpool_1"))
        .add(Conv2D.of(16, 5).activation(RELU).name("conv_2"))
        .add(MaxPooling2D.of(2).name("maxpool_2"))
        .add(Flatten.of().name("flatten"))
        .add(Dense.of(120).activation(RELU).name("dense_1"))
        .add(Dense.of(100).activation(RELU).name("dense_2"))
        .add(Dense.of(classes).activation(SOFTMAX).name("output"));
  }

  @Override
  public String id() {
    return ID;
  }


  @Override
  public int defaultImageSize() {
    return 32;
  }

  @Override
  public String preprocessing() {
    return "MNIST";
  }

  /** Small shifts and rotations only ({@link Augmentation#digits()}): no flips for digits. */
  @Override
  public Augmentation augmentation() {
    return Augmentation.digits();
  }
}
