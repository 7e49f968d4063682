package io.convnet.transfer;

import io.convnet.nn.Flatten;
import io.convnet.nn.LayerInfo;
import io.convnet.nn.Sequential;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A network split as transfer learning sees it: the convolutional base (every layer before the first
 * {@link Flatten}) and the head (the Flatten and everything after it).
 */
public record BaseAndHead(List<String> base, List<String> head, List<String> baseWeighted, List<String> headWeighted) {

  public static BaseAndHead of(Sequential spec) {
    List<String> names = spec.layerNames();
    int flatten = -1;
    for (int i = 0; i < spec.layers().size(); i++) {
      if (spec.layers().get(i) instanceof Flatten) {
        flatten = i;
        break;
      }
    }
    if (flatten <= 0) {
      throw new IllegalArgumentException("model '" + spec.name() + "' has no Flatten after its convolutional layers: "
          + "cannot tell its base from its head (layers: " + names + ")");
    }
    Set<String> weighted = new HashSet<>();
    for (LayerInfo l : spec.layerInfos()) {
      if (l.params() > 0) {
        weighted.add(l.name());
      }
    }
    List<String> base = names.subList(0, flatten);
    List<String> head = names.subList(flatten, names.size());
    return new BaseAndHead(List.copyOf(base), List.copyOf(head), base.stream().filter(weighted::contains).toList(),
        head.stream().filter(weighted::contains).toList());
  }

  /** The base's output layer: what bottleneck features are. */
  public String lastBaseLayer() {
    return base.get(base.size() - 1);
  }

  /** The default first layer to fine-tune: VGG16's {@code block5_conv1}, else the base's last conv layer. */
  public String defaultFineTuneFrom() {
    return baseWeighted.contains("block5_conv1") ? "block5_conv1" : baseWeighted.get(baseWeighted.size() - 1);
  }

  /** The base's weighted layers from {@code first} on (those fine-tuning unfreezes). */
  public List<String> baseFrom(String first) {
    int i = baseWeighted.indexOf(first);
    if (i < 0) {
      throw new IllegalArgumentException("cannot fine-tune from '" + first + "': not a conv layer of the base; "
          + "choose one of " + baseWeighted);
    }
    return baseWeighted.subList(i, baseWeighted.size());
  }

  /**
   * The spec with the layers that stay frozen marked non-trainable: with {@code freezeBase}, the base up to
   * (not including) the fine-tune layers; the manifest and {@code summary()} then show Keras' counts.
   */
  public Sequential freeze(Sequential spec, TransferOptions options) {
    if (!options.freezeBase()) {
      return spec;
    }
    Set<String> frozen = new HashSet<>(baseWeighted);
    if (options.fineTune()) {
      frozen.removeAll(baseFrom(fineTuneFrom(options)));
    }
    return frozen.isEmpty() ? spec : spec.trainable(frozen, false);
  }

  public String fineTuneFrom(TransferOptions options) {
    return options.fineTuneFrom() != null ? options.fineTuneFrom() : defaultFineTuneFrom();
  }
}
