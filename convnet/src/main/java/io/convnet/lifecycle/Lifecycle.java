package io.convnet.lifecycle;

import io.convnet.limits.LifecycleLimits;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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
 * @param labels          label name to version, e.g. {@code {"canary": 3, "stable": 2}}
 * @param updatedBy       who made the last change ("trainer" when the policy did)
 * @param updatedAt       when, ISO-8601
 * @param appliedRequests ids of the latest requested changes (at most {@link #APPLIED_KEPT}), so that a request
 *                        delivered again (Kafka's at-least-once) is not applied again over later changes
 */
public record Lifecycle(long revision, Map<String, Integer> labels, PromotionPolicy policy, String updatedBy,
                        String updatedAt, List<String> appliedRequests) {
  /** How many request ids are kept: more than a trainer can have taken and not yet committed. */
  public static final int APPLIED_KEPT = 64;

  public Lifecycle {
    labels = Collections.unmodifiableMap(new TreeMap<>(labels == null ? Map.of() : labels));
    policy = policy == null ? PromotionPolicy.DEFAULT : policy;
    appliedRequests = appliedRequests == null ? List.of() : List.copyOf(appliedRequests);
  }

  public Lifecycle(long revision, Map<String, Integer> labels, PromotionPolicy policy, String updatedBy,
                   String updatedAt) {
    this(revision, labels, policy, updatedBy, updatedAt, List.of());
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
    return new Lifecycle(revision, next, policy, updatedBy, updatedAt, appliedRequests);
  }

  public Lifecycle withoutLabel(String label) {
    Map<String, Integer> next = new TreeMap<>(labels);
    next.remove(label);
    return new Lifecycle(revision, next, policy, updatedBy, updatedAt, appliedRequests);
  }

  public Lifecycle withPolicy(PromotionPolicy next) {
    return new Lifecycle(revision, labels, next, updatedBy, updatedAt, appliedRequests);
  }

  /**
   * This state as changed by {@code actor} at {@code at} (ms), its revision after {@code before}'s, the change
   * asked for by {@code requestId} (none when empty) among the applied requests.
   */
  Lifecycle next(Lifecycle before, String actor, long at, String requestId) {
    return new Lifecycle(Math.max(before.revision() + 1, at), labels, policy, actor,
        java.time.Instant.ofEpochMilli(at).toString(), before.appliedRequests()).withApplied(requestId);
  }

  /** This state with {@code requestId} (none when empty) the latest of its applied requests. */
  Lifecycle withApplied(String requestId) {
    if (requestId.isEmpty()) {
      return this;
    }
    List<String> applied = new ArrayList<>(appliedRequests);
    applied.add(requestId);
    return new Lifecycle(revision, labels, policy, updatedBy, updatedAt,
        applied.subList(Math.max(0, applied.size() - APPLIED_KEPT), applied.size()));
  }

  /** Same labels and policy (who changed it and when aside). */
  boolean sameAs(Lifecycle other) {
    return labels.equals(other.labels) && policy.equals(other.policy);
  }
}
