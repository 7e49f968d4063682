package io.convnet.nn;

import java.util.Locale;

/** Element-wise activations a layer may end with; names as Keras spells them. */
public enum Activation {
  LINEAR, RELU, SIGMOID, SOFTMAX;

  public String kerasName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Activation parse(String name) {
    for (Activation a : values()) {
      if (a.kerasName().equalsIgnoreCase(name)) {
        return a;
      }
    }
    throw new IllegalArgumentException("unknown activation '" + name + "'; known: linear, relu, sigmoid, softmax");
  }
}
