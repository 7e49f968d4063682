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
import java.util.ArrayList;
import java.util.List;

/**
 * VGG16 exactly as {@code keras.applications.VGG16} builds it: 13 3x3 "same" ReLU convolutions in 5 blocks
 * (64, 128, 256, 512, 512 filters), each block ending in a 2x2 max pool, with Keras' layer names
 * ({@code block1_conv1} ... {@code block5_pool}); the top is {@code flatten}, {@code fc1} 4096, {@code fc2}
 * 4096, {@code predictions}. Parameters: 14,714,688 without the top (any input size), 138,357,544 with it at
 * 224x224 and 1000 classes.
 *
 * <p>As an {@link Architecture} ({@code vgg16}) it is the convolutional base with the transfer-learning head of
 * the tutorial: Flatten, Dense 256 ReLU, Dropout 0.5, Dense 1 sigmoid (softmax for more classes). The Keras top
 * is {@link Top} ({@code vgg16-top}). Inputs are "caffe" preprocessed (BGR minus the ImageNet means), as the
 * ImageNet weights expect; training from scratch uses the same.
 */
public final class Vgg16 implements Architecture {
  public static final String ID = "vgg16";
  public static final String TOP_ID = "vgg16-top";
  /** Keras refuses smaller inputs: five 2x2 pools need at least 32 pixels a side. */
  public static final int MIN_SIZE = 32;
  public static final long BASE_PARAMS = 14_714_688L;
  public static final long TOP_PARAMS_IMAGENET = 138_357_544L;

  private static final int[] FILTERS = {64, 128, 256, 512, 512};
  private static final int[] CONVS = {2, 2, 3, 3, 3};

  /** The convolutional base ({@code include_top=False}): 13 conv + 5 pool layers, named as in Keras. */
  public static Sequential base(int height, int width) {
    if (height < MIN_SIZE || width < MIN_SIZE) {
      throw new IllegalArgumentException("VGG16 needs an input of at least " + MIN_SIZE + "x" + MIN_SIZE
          + ", got " + height + "x" + width);
    }
    Sequential s = Sequential.input(height, width, 3).name("vgg16");
    for (int b = 0; b < FILTERS.length; b++) {
      for (int c = 1; c <= CONVS[b]; c++) {
        s = s.add(Conv2D.of(FILTERS[b], 3).activation(RELU).padding(SAME).name(convName(b + 1, c)));
      }
      s = s.add(MaxPooling2D.of(2).name("block" + (b + 1) + "_pool"));
    }
    return s;
  }

  /** VGG16 with Keras' top ({@code include_top=True}): flatten, fc1, fc2, predictions (softmax). */
  public static Sequential withTop(int height, int width, int classes) {
    return base(height, width)
        .add(Flatten.of().name("flatten"))
        .add(Dense.of(4096).activation(RELU).name("fc1"))
        .add(Dense.of(4096).activation(RELU).name("fc2"))
        .add(classes == 2 ? Dense.of(1).activation(SIGMOID).name("predictions")
            : Dense.of(classes).activation(SOFTMAX).name("predictions"));
  }

  /** The base with the tutorial's transfer-learning head: Flatten, Dense 256 ReLU, Dropout 0.5, output. */
  public static Sequential withHead(int height, int width, int classes) {
    return base(height, width)
        .add(Flatten.of().name("flatten"))
        .add(Dense.of(256).activation(RELU).name("dense_1"))
        .add(Dropout.of(0.5).name("dropout"))
        .add(classes == 2 ? Dense.of(1).activation(SIGMOID).name("output")
            : Dense.of(classes).activation(SOFTMAX).name("output"));
  }

  /** Names of the 13 convolution layers, in order. */
  public static List<String> convLayers() {
    List<String> names = new ArrayList<>();
    for (int b = 0; b < FILTERS.length; b++) {
      for (int c = 1; c <= CONVS[b]; c++) {
        names.add(convName(b + 1, c));
      }
    }
    return names;
  }

  private static String convName(int block, int conv) {
    return "block" + block + "_conv" + conv;
  }

  @Override
  public Sequential define(int imageSize, int classes) {
    return withHead(imageSize, imageSize, classes);
  }

  @Override
  public String id() {
    return ID;
  }


  /** The tutorial's transfer-learning input size (Keras' ImageNet default is 224). */
  @Override
  public int defaultImageSize() {
    return 150;
  }

  @Override
  public String preprocessing() {
    return "CAFFE";
  }

  /** {@code vgg16-top}: VGG16 with Keras' own top (fc1, fc2, predictions); 224x224 by default. */
  public static final class Top implements Architecture {
    @Override
    public Sequential define(int imageSize, int classes) {
      return withTop(imageSize, imageSize, classes);
    }

    @Override
    public String id() {
      return TOP_ID;
    }


    @Override
    public int defaultImageSize() {
      return 224;
    }

    @Override
    public String preprocessing() {
      return "CAFFE";
    }
  }
}
