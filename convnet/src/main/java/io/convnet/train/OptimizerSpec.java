package io.convnet.train;

import io.convnet.limits.TrainingLimits;
import java.util.Locale;

/**
 * Which optimizer and its hyper-parameters. Defaults as Keras: RMSprop lr 1e-4 (the tutorial's choice),
 * rho 0.9, eps 1e-7, accumulator from 0; Adam beta 0.9/0.999, eps 1e-7; SGD momentum 0.9.
 *
 * @param decay the learning rate is multiplied by this after every epoch: epoch {@code e} (from 1) trains with
 *     {@code learningRate * decay^(e - 1)} (Keras' {@code ExponentialDecay} with {@code staircase=True}, one step per
 *     epoch); 1 = constant
 */
public record OptimizerSpec(Kind kind, double learningRate, double momentum, double decay) {

  public enum Kind { RMSPROP, ADAM, SGD }

  public OptimizerSpec(Kind kind, double learningRate, double momentum) {
    this(kind, learningRate, momentum, 1);
  }

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
    if (!(decay > 0 && decay <= 1)) {
      throw new IllegalArgumentException("learning rate decay must be in (0, 1] (1 = constant), got " + decay);
    }
  }

  /** The same optimizer with its learning rate multiplied by {@code perEpoch} after every epoch. */
  public OptimizerSpec withDecay(double perEpoch) {
    return new OptimizerSpec(kind, learningRate, momentum, perEpoch);
  }

  /** The learning rate of {@code epoch} (from 1). */
  public double learningRate(int epoch) {
    return learningRate * Math.pow(decay, Math.max(0, epoch - 1));
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
