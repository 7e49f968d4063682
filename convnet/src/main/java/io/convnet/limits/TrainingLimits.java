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

  // Defaults: the tutorial's settings (the default architecture's; see JobDefaults for the others').
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

  /**
   * What a job of one architecture gets for each setting it leaves out (the command line's and the gateway's
   * defaults alike).
   *
   * @param model the model it publishes
   * @param dataDir its data folder under the data root
   */
  public record JobDefaults(String model, String dataDir, int epochs, int batchSize, String optimizer,
      double learningRate) {}

  /** The tutorial's settings on cats-vs-dogs, for the tutorial CNN and VGG16. */
  private static JobDefaults tutorial(String model) {
    return new JobDefaults(model, "cats-vs-dogs", DEFAULT_EPOCHS, DEFAULT_BATCH_SIZE, DEFAULT_OPTIMIZER,
        DEFAULT_LEARNING_RATE);
  }

  /**
   * LeNet-5 on the MNIST digits: Adam 2e-3 (decaying to 0 along a cosine, as LeNet-5 trains), batch 32, 40 epochs,
   * about 99% validation accuracy on 8,000 correctly encoded digits (convnet/README.md, LeNet-5).
   */
  private static final JobDefaults LENET_5 = new JobDefaults("lenet-5", "mnist", 40, 32, "adam", 2e-3);

  private static final Map<String, JobDefaults> DEFAULTS = Map.of("tutorial-cnn", tutorial(DEFAULT_MODEL),
      "vgg16", tutorial("vgg16"), "vgg16-top", tutorial("vgg16-imagenet"), "lenet-5", LENET_5);

  /** The settings a job of {@code architecture} gets when it does not say. */
  public static JobDefaults defaults(String architecture) {
    JobDefaults d = DEFAULTS.get(architecture);
    if (d == null) {
      throw new IllegalArgumentException("unknown architecture '" + architecture + "'; known: "
          + String.join(", ", ARCHITECTURES));
    }
    return d;
  }

  /** The model name a job of {@code architecture} gets when it names none. */
  public static String defaultModel(String architecture) {
    return defaults(architecture).model();
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
