package io.convnet.gateway.training;

import io.convnet.proto.TrainEvent;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Every training job this gateway knows, built from the events topic (read from its
 * beginning by each gateway instance) and told to subscribers as events arrive. Thread-safe:
 * the follower thread applies events, HTTP handlers on any event loop read and subscribe.
 */
final class JobRegistry {
  /** Receives a job's events after its replay; called under the registry's lock, so it must only hand over. */
  interface Subscriber {
    void onEvent(long offset, TrainEvent event);
  }

  /** What a new subscriber gets: the job's events so far, and whether more can come. */
  record Subscription(List<JobState.Stored> replay, boolean ended) {
  }

  private final Map<String, JobState> jobs = new HashMap<>();
  private final Map<String, Set<Subscriber>> subscribers = new HashMap<>();
  /** Jobs someone asked to cancel (the control topic may be read before the job's events). */
  private final Set<String> cancelRequests = new java.util.HashSet<>();

  /** Applies an event of the log at {@code offset}; a repeat (same or older offset) changes nothing. */
  synchronized void apply(long offset, TrainEvent event) {
    if (event.getJobId().isEmpty() || EventJson.name(event) == null) {
      return;
    }
    JobState job = jobs.computeIfAbsent(event.getJobId(), id -> {
      JobState created = new JobState(id);
      if (cancelRequests.contains(id)) {
        created.cancelRequested();
      }
      return created;
    });
    if (!job.apply(offset, event)) {
      return;
    }
    Set<Subscriber> subs = subscribers.get(event.getJobId());
    if (subs != null) {
      subs.forEach(s -> s.onEvent(offset, event));
      if (job.ended()) {
        subscribers.remove(event.getJobId());
      }
    }
  }

  synchronized void cancelRequested(String jobId) {
    cancelRequests.add(jobId);
    JobState job = jobs.get(jobId);
    if (job != null) {
      job.cancelRequested();
    }
  }

  /** Runs {@code read} on the job under the lock (its state must not be read outside). */
  synchronized <T> Optional<T> read(String jobId, java.util.function.Function<JobState, T> read) {
    JobState job = jobs.get(jobId);
    return job == null ? Optional.empty() : Optional.of(read.apply(job));
  }

  /** Newest first; {@code state} null for all; at most {@code limit}. */
  synchronized List<io.vertx.core.json.JsonObject> list(String state, int limit) {
    return jobs.values().stream()
        .filter(j -> state == null || j.state().equals(state))
        .sorted(Comparator.comparingLong(JobState::submittedMs).thenComparing(j -> j.id).reversed())
        .limit(limit)
        .map(j -> j.toJson(false))
        .toList();
  }

  synchronized int size() {
    return jobs.size();
  }

  /**
   * The job's events after {@code afterOffset}, and from now on its new ones to {@code subscriber}
   * (unless it has ended); empty when the job is unknown.
   */
  synchronized Optional<Subscription> subscribe(String jobId, long afterOffset, Subscriber subscriber) {
    JobState job = jobs.get(jobId);
    if (job == null) {
      return Optional.empty();
    }
    if (!job.ended()) {
      subscribers.computeIfAbsent(jobId, k -> new LinkedHashSet<>()).add(subscriber);
    }
    return Optional.of(new Subscription(job.replay(afterOffset), job.ended()));
  }

  synchronized void unsubscribe(String jobId, Subscriber subscriber) {
    Set<Subscriber> subs = subscribers.get(jobId);
    if (subs != null && subs.remove(subscriber) && subs.isEmpty()) {
      subscribers.remove(jobId);
    }
  }

  synchronized int subscriberCount() {
    return subscribers.values().stream().mapToInt(Set::size).sum();
  }
}
