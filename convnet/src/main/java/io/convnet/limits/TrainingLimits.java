package io.convnet.limits;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a training job may ask for, and what it gets when it does not say: the one place these values are
 * written. The command line's option defaults, the gateway's {@code POST /v1/training-jobs} defaults and
 * checks, and convnet's own checks ({@code TrainingRequest}, {@code TrainingConfig}, {@code OptimizerSpec},
 * {@code TransferOptions}, {@code BundleStore}) all read them. Plain constants, nothing else of convnet: the
 * gateway uses this class without TensorFlow on its class path.
 */
public final class TrainingLimits {
  private TrainingLimits() {}

  // Defaults: the tutorial's settings.
  public static final String DEFAULT_ARCHITECTURE = "tutorial-cnn";
  /** Also the default architecture's model name. */
  public static final String DEFAULT_MODEL = "cats-vs-dogs";
  public static final int DEFAULT_EPOCHS = 30;
  public static final int DEFAULT_BATCH_SIZE = 32;
  public static final String DEFAULT_OPTIMIZER = "rmsprop";
  public static final double DEFAULT_LEARNING_RATE = 1e-4;
  public static final long DEFAULT_SEED = 1;
  /** Fine-tuning's learning rate when a job gives 0 (SGD, momentum 0.9). */
  public static final double DEFAULT_FINE_TUNE_LEARNING_RATE = 1e-5;

  // Limits.
  /** Architecture ids that can be trained ({@code Architectures.ids()}; a test checks they agree). */
  public static final List<String> ARCHITECTURES = List.of("tutorial-cnn", "vgg16", "vgg16-top", "lenet-5");

  /** The model a job of each architecture publishes when it names none. */
  private static final Map<String, String> DEFAULT_MODELS = Map.of("tutorial-cnn", DEFAULT_MODEL, "vgg16", "vgg16",
      "vgg16-top", "vgg16-imagenet", "lenet-5", "lenet-5");

  /** The model name a job of {@code architecture} gets when it names none. */
  public static String defaultModel(String architecture) {
    String model = DEFAULT_MODELS.get(architecture);
    if (model == null) {
      throw new IllegalArgumentException("unknown architecture '" + architecture + "'");
    }
    return model;
  }
  public static final List<String> OPTIMIZERS = List.of("rmsprop", "adam", "sgd");
  public static final int MAX_EPOCHS = 10_000;
  public static final int MAX_BATCH_SIZE = 1024;
  /** Learning rates are in (0, MAX_LEARNING_RATE]. */
  public static final double MAX_LEARNING_RATE = 10;
  /** Input side: 0 (the architecture's default) or MIN..MAX. */
  public static final int MIN_IMAGE_SIZE = 16;
  public static final int MAX_IMAGE_SIZE = 1024;
  /** Model names: lower-case letters, digits, '.', '_', '-', starting with a letter or digit, 1..64. */
  public static final Pattern MODEL_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

  /** A limit as messages print it: {@code 10}, not {@code 10.0}. */
  public static String plain(double limit) {
    return BigDecimal.valueOf(limit).stripTrailingZeros().toPlainString();
  }
}
