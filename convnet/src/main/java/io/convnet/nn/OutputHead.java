package io.convnet.nn;

/**
 * What the final layer means: a single sigmoid unit (binary, probability of class 1) or a softmax over
 * {@code classes} units.
 */
public record OutputHead(Activation activation, int classes) {

  static OutputHead of(Dense last) {
    return switch (last.activation()) {
      case SIGMOID -> {
        if (last.units() != 1) {
          throw new IllegalArgumentException("a sigmoid output must have 1 unit (binary), got " + last.units()
              + "; use softmax for several classes");
        }
        yield new OutputHead(Activation.SIGMOID, 2);
      }
      case SOFTMAX -> {
        if (last.units() < 2) {
          throw new IllegalArgumentException("a softmax output needs at least 2 units, got " + last.units());
        }
        yield new OutputHead(Activation.SOFTMAX, last.units());
      }
      default -> throw new IllegalArgumentException("the last layer '" + last.name()
          + "' must use sigmoid or softmax, not " + last.activation().kerasName());
    };
  }
}
