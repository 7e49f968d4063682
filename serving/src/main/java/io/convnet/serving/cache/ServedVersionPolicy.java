package io.convnet.serving.cache;

import java.util.List;

/**
 * Which version a request that names none gets. The cache asks when the store may have changed
 * (a scan, a models-topic event, or per request when it loads on demand) and switches to the
 * answer. Labels (a {@code stable} version chosen by a person or a policy) plug in here.
 */
@FunctionalInterface
public interface ServedVersionPolicy {
  /**
   * @param published the model's versions in the store, ascending (may be empty)
   * @param current   the version served now, 0 when none
   * @return the version to serve, 0 for none
   */
  int servedVersion(String model, List<Integer> published, int current);

  /**
   * The newest published version. A served version newer than every published one (its files
   * were removed) stays served: a running model is never swapped for an older one.
   */
  ServedVersionPolicy NEWEST = (model, published, current) ->
      published.isEmpty() ? 0 : Math.max(current, published.get(published.size() - 1));
}
