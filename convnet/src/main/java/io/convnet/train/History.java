package io.convnet.train;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** The epochs run (resumed ones included) and the best epoch by validation loss. */
public record History(List<EpochMetrics> epochs, StopReason stopReason) {

  public History {
    epochs = List.copyOf(epochs);
  }

  public Optional<EpochMetrics> best() {
    return epochs.stream().min(Comparator.comparingDouble(EpochMetrics::valLoss));
  }

  public Optional<EpochMetrics> last() {
    return epochs.isEmpty() ? Optional.empty() : Optional.of(epochs.get(epochs.size() - 1));
  }
}
