package io.convnet.serving.cache;

import io.convnet.lifecycle.Lifecycle;
import io.convnet.lifecycle.LifecycleStore;
import io.convnet.limits.LifecycleLimits;
import io.convnet.serving.ServingException;
import io.convnet.serving.ServingException.Reason;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves each model's {@code stable} version and keeps its {@code canary} loaded, from the model's
 * {@link Lifecycle}: the one kept in the store ({@code lifecycle.json}, read again at most every
 * {@code reread}) or an announced one (the models topic), whichever has the higher revision. A model
 * without a kept state serves its newest version, as {@link ServedVersionPolicy#NEWEST} does.
 *
 * <p>{@link #servedVersion} and {@link #lifecycle} may read the store (the cache's loader thread, or a
 * request thread that may block); {@link #known} and {@link #resolve} never do (event loops).
 */
public final class LabelPolicy implements ServedVersionPolicy {
  private static final Logger LOG = LoggerFactory.getLogger(LabelPolicy.class);

  private record Known(Lifecycle lifecycle, long readNanos) {
  }

  private final LifecycleStore store;
  private final long rereadNanos;
  private final Map<String, Known> known = new ConcurrentHashMap<>();

  public LabelPolicy(LifecycleStore store, Duration reread) {
    this.store = store;
    this.rereadNanos = reread.toNanos();
  }

  @Override
  public int servedVersion(String model, List<Integer> published, int current) {
    Lifecycle l = lifecycle(model);
    if (l == null) {
      return current;  // the store's state cannot be read: keep what is served
    }
    if (l.revision() == 0) {
      return NEWEST.servedVersion(model, published, current);
    }
    return l.stable() == 0 ? current : l.stable();
  }

  @Override
  public Set<Integer> alsoLoaded(String model) {
    Lifecycle l = known(model);
    return l == null || l.canary() == 0 || l.canary() == l.stable() ? Set.of() : Set.of(l.canary());
  }

  /** The model's state, the store read again when the last read is older than {@code reread}; null when unreadable. */
  public Lifecycle lifecycle(String model) {
    Known k = known.get(model);
    if (k != null && System.nanoTime() - k.readNanos() < rereadNanos) {
      return k.lifecycle();
    }
    Lifecycle read;
    try {
      read = store.current(model);
    } catch (RuntimeException e) {
      LOG.warn("cannot read the labels of {} ({}); keeping {}", model, e.toString(),
          k == null ? "what is served" : "revision " + k.lifecycle().revision());
      return k == null ? null : k.lifecycle();
    }
    Known next = known.merge(model, new Known(read, System.nanoTime()), (old, fresh) ->
        old.lifecycle().revision() > fresh.lifecycle().revision() ? new Known(old.lifecycle(), fresh.readNanos()) : fresh);
    return next.lifecycle();
  }

  /** The state last known, without reading the store; null before the model was first looked at. */
  public Lifecycle known(String model) {
    Known k = known.get(model);
    return k == null ? null : k.lifecycle();
  }

  /** A state announced on the models topic: kept when its revision is higher than the known one's. */
  public boolean announced(String model, Lifecycle state) {
    boolean[] newer = {false};
    known.compute(model, (name, old) -> {
      if (old == null || state.revision() > old.lifecycle().revision()) {
        newer[0] = true;
        return new Known(state, old == null ? System.nanoTime() : old.readNanos());
      }
      return old;
    });
    return newer[0];
  }

  /**
   * The version a request naming {@code label} gets: 0 for {@code stable} (the served version, whatever
   * it is while switching), else the labelled version; NOT_FOUND naming the model's labels otherwise.
   */
  public int resolve(String model, String label) {
    if (label.equals(LifecycleLimits.STABLE)) {
      return 0;
    }
    Lifecycle l = known(model);
    Integer v = l == null ? null : l.labels().get(label);
    if (v == null) {
      throw new ServingException(Reason.NOT_FOUND, "model '" + model + "' has no label '" + label + "'"
          + (l == null || l.labels().isEmpty() ? "" : "; its labels: " + describe(l)));
    }
    return v;
  }

  /** {@code canary -> 3, stable -> 2} */
  public static String describe(Lifecycle l) {
    return l.labels().entrySet().stream().map(e -> e.getKey() + " -> " + e.getValue()).collect(Collectors.joining(", "));
  }
}
