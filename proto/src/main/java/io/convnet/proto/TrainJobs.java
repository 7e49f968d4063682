package io.convnet.proto;

import java.util.List;
import java.util.regex.Pattern;

/**
 * What a {@link TrainJob} may ask for, as wire values: the gateway validates against these
 * without loading TensorFlow; a trainer-service test checks that {@code convnet} agrees.
 */
public final class TrainJobs {
  private TrainJobs() {
  }

  /** Architecture ids the cluster can train (convnet's {@code Architectures.ids()}). */
  public static final List<String> ARCHITECTURES = List.of("tutorial-cnn", "vgg16", "vgg16-top", "lenet-5");
  public static final List<String> OPTIMIZERS = List.of("rmsprop", "adam", "sgd");

  public static final int MAX_EPOCHS = 10_000;
  public static final int MAX_BATCH_SIZE = 1024;
  /** Fine-tuning's learning rate when a job gives 0 (SGD, momentum 0.9; convnet's TransferOptions). */
  public static final double DEFAULT_FINE_TUNE_LEARNING_RATE = 1e-5;
  /** Learning rates are in (0, MAX_LEARNING_RATE]. */
  public static final double MAX_LEARNING_RATE = 10;
  /** Input side: 0 (the architecture's default) or MIN..MAX. */
  public static final int MIN_IMAGE_SIZE = 16;
  public static final int MAX_IMAGE_SIZE = 1024;
  /** Model names: lower-case letters, digits, '.', '_', '-', starting with a letter or digit, 1..64. */
  public static final Pattern MODEL_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

  /** Job states as the gateway reports them. */
  public static final List<String> STATES = List.of("queued", "running", "succeeded", "failed", "cancelled");
}
