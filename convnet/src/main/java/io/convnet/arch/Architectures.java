package io.convnet.arch;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Architectures by id: {@code tutorial-cnn}, {@code vgg16} (base + transfer head), {@code vgg16-top}, {@code lenet-5}.
 */
public final class Architectures {
  private static final Map<String, Architecture> BY_ID = new LinkedHashMap<>();

  static {
    register(new TutorialCnn());
    register(new Vgg16());
    register(new Vgg16.Top());
    register(new LeNet5());
  }

  private Architectures() {}

  public static synchronized void register(Architecture architecture) {
    BY_ID.put(architecture.id(), architecture);
  }

  public static synchronized Architecture get(String id) {
    Architecture a = BY_ID.get(id);
    if (a == null) {
      throw new IllegalArgumentException("unknown architecture '" + id + "'; known: " + String.join(", ", BY_ID.keySet()));
    }
    return a;
  }

  public static synchronized Set<String> ids() {
    return Set.copyOf(BY_ID.keySet());
  }
}
