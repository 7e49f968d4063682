package io.convnet.lifecycle;

import io.convnet.limits.LifecycleLimits;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A model's version labels and promotion policy, as kept in {@code <store>/<model>/lifecycle.json} and
 * announced on the models topic. {@code revision} grows with each change: the time of the change in
 * milliseconds, and at least one more than the revision before. Readers that hear of a state from several
 * places (the store, the topic) keep the one with the highest revision; a store started afresh (its
 * directory removed, the compacted topic kept) counts from the present, above every older record.
 *
 * @param labels    label name to version, e.g. {@code {"canary": 3, "stable": 2}}
 * @param updatedBy who made the last change ("trainer" when the policy did)
 * @param updatedAt when, ISO-8601
 */
public record Lifecycle(long revision, Map<String, Integer> labels, PromotionPolicy policy, String updatedBy,
                        String updatedAt) {

  public Lifecycle {
    labels = Collections.unmodifiableMap(new TreeMap<>(labels == null ? Map.of() : labels));
    policy = policy == null ? PromotionPolicy.DEFAULT : policy;
  }

  /** The state of a model that has none kept: stable is its newest version (as before labels existed). */
  public static Lifecycle initial(Optional<Integer> newest) {
    return new Lifecycle(0, newest.map(v -> Map.of(LifecycleLimits.STABLE, v)).orElse(Map.of()),
        PromotionPolicy.DEFAULT, "", "");
  }

  public Optional<Integer> version(String label) {
    return Optional.ofNullable(labels.get(label));
  }

  /** The stable version, 0 when the model has none (no version yet). */
  public int stable() {
    return labels.getOrDefault(LifecycleLimits.STABLE, 0);
  }

  /** The canary version, 0 when there is none. */
  public int canary() {
    return labels.getOrDefault(LifecycleLimits.CANARY, 0);
  }

  /**
   * {@code label} moved onto {@code version}. Moving stable onto the canary's version promotes it: the
   * canary label goes, its traffic share would be stable's own.
   */
  public Lifecycle withLabel(String label, int version) {
    Map<String, Integer> next = new TreeMap<>(labels);
    next.put(label, version);
    if (label.equals(LifecycleLimits.STABLE) && next.getOrDefault(LifecycleLimits.CANARY, 0) == version) {
      next.remove(LifecycleLimits.CANARY);
    }
    return new Lifecycle(revision, next, policy, updatedBy, updatedAt);
  }

  public Lifecycle withoutLabel(String label) {
    Map<String, Integer> next = new TreeMap<>(labels);
    next.remove(label);
    return new Lifecycle(revision, next, policy, updatedBy, updatedAt);
  }

  public Lifecycle withPolicy(PromotionPolicy next) {
    return new Lifecycle(revision, labels, next, updatedBy, updatedAt);
  }

  /** This state as changed by {@code actor} at {@code at} (ms), its revision after {@code before}'s. */
  Lifecycle next(Lifecycle before, String actor, long at) {
    return new Lifecycle(Math.max(before.revision() + 1, at), labels, policy, actor,
        java.time.Instant.ofEpochMilli(at).toString());
  }

  /** Same labels and policy (who changed it and when aside). */
  boolean sameAs(Lifecycle other) {
    return labels.equals(other.labels) && policy.equals(other.policy);
  }
}
