package io.convnet.serving.cache;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * How a {@link ModelCache} serves.
 *
 * @param preload        true: the served version of every model in the store is loaded at start and
 *                       kept, and newer ones are loaded and switched to as they appear (a worker,
 *                       which must answer at once); false: a version is loaded when a request first
 *                       needs it, and an unversioned request asks the store which version it gets (a
 *                       visualizer, whose models are large and rarely all in use)
 * @param cachedVersions versions kept loaded besides the served ones when preloading (all versions
 *                       when not), least recently used closed first, never while a request holds it
 * @param storePoll      preload: how often the store is scanned for newer versions (zero: never)
 * @param instance       names this process in messages ("no model loaded on worker-1 ...")
 * @param upcoming       why a model without a served version will have one soon, e.g. "being
 *                       trained (job 7f3a)"; requests for it then fail NOT_READY instead of NOT_FOUND
 * @param onChange       runs (on the loader thread) after a version was loaded, switched or failed
 * @param unloadTrim     true: after versions are closed, the native memory they freed is given back to
 *                       the system ({@link NativeHeap}); false: the C allocator keeps it for reuse
 */
public record CacheOptions(boolean preload, int cachedVersions, Duration storePoll, String instance,
                           Function<String, Optional<String>> upcoming, Runnable onChange, boolean unloadTrim) {

  public CacheOptions {
    if (cachedVersions < 0) {
      throw new IllegalArgumentException("cachedVersions must be at least 0, not " + cachedVersions);
    }
  }

  /** Every model's served version loaded from the start, {@code cachedVersions} older ones on demand. */
  public static CacheOptions preloading(int cachedVersions, Duration storePoll, String instance) {
    return new CacheOptions(true, cachedVersions, storePoll, instance, model -> Optional.empty(), () -> { }, true);
  }

  /** Versions loaded when first asked for, at most {@code maxVersions} kept (more while requests hold them). */
  public static CacheOptions onDemand(int maxVersions, String instance) {
    return new CacheOptions(false, Math.max(1, maxVersions), Duration.ZERO, instance, model -> Optional.empty(),
        () -> { }, true);
  }

  public CacheOptions withUpcoming(Function<String, Optional<String>> why) {
    return new CacheOptions(preload, cachedVersions, storePoll, instance, why, onChange, unloadTrim);
  }

  public CacheOptions withOnChange(Runnable listener) {
    return new CacheOptions(preload, cachedVersions, storePoll, instance, upcoming, listener, unloadTrim);
  }

  public CacheOptions withUnloadTrim(boolean trim) {
    return new CacheOptions(preload, cachedVersions, storePoll, instance, upcoming, onChange, trim);
  }
}
