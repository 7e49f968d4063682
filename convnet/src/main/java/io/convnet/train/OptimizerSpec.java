package io.convnet.train;

import io.convnet.limits.TrainingLimits;
import java.util.Locale;

/**
 * Which optimizer and its hyper-parameters. Defaults as Keras: RMSprop lr 1e-4 (the tutorial's choice),
 * rho 0.9, eps 1e-7, accumulator from 0; Adam beta 0.9/0.999, eps 1e-7; SGD momentum 0.9.
 */
public record OptimizerSpec(Kind kind, double learningRate, double momentum) {

  public enum Kind { RMSPROP, ADAM, SGD }

  public OptimizerSpec {
    if (kind == null) {
      throw new IllegalArgumentException("optimizer is required: rmsprop, adam or sgd");
    }
    if (!(learningRate > 0 && learningRate <= TrainingLimits.MAX_LEARNING_RATE) || Double.isNaN(learningRate)) {
      throw new IllegalArgumentException("learning rate must be > 0 and <= "
          + TrainingLimits.plain(TrainingLimits.MAX_LEARNING_RATE) + ", got " + learningRate);
    }
    if (!(momentum >= 0 && momentum < 1)) {
      throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
    }
  }

  public static OptimizerSpec rmsprop(double lr) {
    return new OptimizerSpec(Kind.RMSPROP, lr, 0);
  }

  public static OptimizerSpec adam(double lr) {
    return new OptimizerSpec(Kind.ADAM, lr, 0);
  }

  public static OptimizerSpec sgd(double lr, double momentum) {
    return new OptimizerSpec(Kind.SGD, lr, momentum);
  }

  /** Parses {@code rmsprop}, {@code adam}, {@code sgd}; SGD gets momentum 0.9 as VGG fine-tuning uses. */
  public static OptimizerSpec parse(String name, double lr) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "rmsprop" -> rmsprop(lr);
      case "adam" -> adam(lr);
      case "sgd" -> sgd(lr, 0.9);
      default -> throw new IllegalArgumentException("unknown optimizer '" + name + "'; known: rmsprop, adam, sgd");
    };
  }

  public String id() {
    return kind.name().toLowerCase(Locale.ROOT);
  }
}
