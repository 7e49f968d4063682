package io.convnet.serving.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convnet.bundle.BundleStore;
import io.convnet.bundle.BundleWriter;
import io.convnet.lifecycle.Lifecycle;
import io.convnet.lifecycle.LifecycleStore;
import io.convnet.serving.ServingException;
import io.convnet.serving.ServingException.Reason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache over a real store. What a version is loaded into is the generic part the services choose
 * (a classifier, a visualization model); here it is a value that says when and on which thread it was
 * loaded and closed, so every rule about leases and closing can be checked exactly.
 */
class ModelCacheTest {
  /** A loaded version that records its life. */
  final class Loaded implements AutoCloseable {
    final String name;
    final int version;
    final String loadedOn = Thread.currentThread().getName();
    volatile String closedOn;

    Loaded(String name, int version) {
      this.name = name;
      this.version = version;
    }

    boolean closed() {
      return closedOn != null;
    }

    @Override
    public void close() {
      if (closedOn != null) {
        problems.add(name + " v" + version + " closed twice");
      }
      closedOn = Thread.currentThread().getName();
    }
  }

  @TempDir
  Path tmp;
  BundleStore store;
  final Map<String, Loaded> loaded = new ConcurrentHashMap<>();
  final List<String> failing = new CopyOnWriteArrayList<>();
  final List<String> problems = new CopyOnWriteArrayList<>();
  final List<ModelCache<Loaded>> caches = new ArrayList<>();

  @BeforeEach
  void store() {
    store = new BundleStore(tmp.resolve("models"));
  }

  @AfterEach
  void close() {
    caches.forEach(ModelCache::close);
    assertThat(problems).isEmpty();
  }

  int publish(String name) {
    return store.publish(name, (dir, version) -> {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(BundleWriter.MANIFEST), "{\"name\": \"" + name + "\", \"version\": " + version + "}");
    });
  }

  ModelCache<Loaded> cache(CacheOptions options) {
    return cache(options, ServedVersionPolicy.NEWEST);
  }

  ModelCache<Loaded> cache(CacheOptions options, ServedVersionPolicy policy) {
    ModelCache<Loaded> cache = new ModelCache<>(store, (dir, name, version) -> {
      if (failing.contains(name + ":" + version)) {
        throw new IllegalArgumentException("bundle " + name + "/" + version + " is broken");
      }
      assertThat(dir).isEqualTo(store.path(name, version));
      Loaded l = new Loaded(name, version);
      assertThat(loaded.put(name + ":" + version + ":" + System.nanoTime(), l)).isNull();
      return l;
    }, policy, options);
    caches.add(cache);
    cache.start();
    return cache;
  }

  /** Versions 1..{@code n} of model "m" in the store, served by a preloading cache with an LRU of {@code cachedVersions}. */
  ModelCache<Loaded> preloaded(int n, int cachedVersions) throws Exception {
    for (int i = 0; i < n; i++) {
      publish("m");
    }
    ModelCache<Loaded> cache = cache(CacheOptions.preloading(cachedVersions, Duration.ZERO, "test"));
    cache.initialLoad().get();
    return cache;
  }

  List<Loaded> versions(String name, int version) {
    return loaded.values().stream().filter(l -> l.name.equals(name) && l.version == version).toList();
  }

  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what).isLessThan(until);
      Thread.sleep(5);
    }
  }

  static ServingException failure(ModelCache<?> cache, String name, long version) {
    try {
      cache.acquireBlocking(name, version).close();
    } catch (ServingException e) {
      return e;
    }
    throw new AssertionError("expected " + name + " v" + version + " to fail");
  }

  @Test
  void preloadsTheNewestVersionOfEveryModelOnTheLoaderThread() throws Exception {
    publish("cats");
    publish("cats");
    publish("dogs");
    ModelCache<Loaded> cache = cache(CacheOptions.preloading(2, Duration.ZERO, "test"));
    cache.initialLoad().get();
    assertThat(cache.servedVersions()).containsExactly(Map.entry("cats", 2), Map.entry("dogs", 1));
    assertThat(cache.notReadyReason()).isNull();
    try (Lease<Loaded> lease = cache.acquireBlocking("cats", 0)) {
      assertThat(lease.version()).isEqualTo(2);
      assertThat(lease.model().loadedOn).isEqualTo("convnet-model-loader");
    }
    assertThat(versions("cats", 1)).as("only the served versions are loaded").isEmpty();
  }

  @Test
  void aHotSwapFailsNoRequestAndClosesTheOldVersionWhenItsLastLeaseEnds() throws Exception {
    publish("m");
    ModelCache<Loaded> cache = cache(CacheOptions.preloading(2, Duration.ZERO, "test"));
    cache.initialLoad().get();
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger answered = new AtomicInteger();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    List<Thread> clients = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Thread t = new Thread(() -> {
        while (running.get()) {
          try (Lease<Loaded> lease = cache.acquireBlocking("m", 0)) {
            if (lease.model().closed()) {
              throw new AssertionError(lease + " is closed while leased");
            }
            Thread.onSpinWait();
            answered.incrementAndGet();
          } catch (Throwable e) {
            failures.add(e);
          }
        }
      });
      t.start();
      clients.add(t);
    }
    Lease<Loaded> held = cache.acquireBlocking("m", 0);
    for (int switches = 0; switches < 10; switches++) {
      int v = publish("m");
      cache.changed("m");
      await(() -> cache.servedVersions().get("m") == v, "serving v" + v);
    }
    running.set(false);
    for (Thread t : clients) {
      t.join();
    }
    assertThat(failures).isEmpty();
    assertThat(answered.get()).isPositive();
    assertThat(held.version()).isEqualTo(1);
    assertThat(held.model().closed()).as("v1 while a request holds it").isFalse();
    held.close();
    held.close();  // twice: harmless
    await(() -> versions("m", 1).get(0).closed(), "v1 closed after its last lease");
    assertThat(versions("m", 1).get(0).closedOn).isEqualTo("convnet-model-loader");
    for (int v = 1; v <= 10; v++) {
      List<Loaded> each = versions("m", v);
      assertThat(each).as("v" + v + " loaded once").hasSize(1);
      await(() -> each.get(0).closed(), "v" + v + " closed");
    }
    assertThat(versions("m", 11)).singleElement().satisfies(l -> assertThat(l.closed()).isFalse());
  }

  @Test
  void theLruOfExplicitVersionsClosesOnlyVersionsNoRequestHolds() throws Exception {
    ModelCache<Loaded> cache = preloaded(4, 1);
    Lease<Loaded> one = cache.acquireBlocking("m", 1);
    Lease<Loaded> two = cache.acquireBlocking("m", 2);
    assertThat(cache.loaded()).containsExactly("m:4", "m:1", "m:2");
    assertThat(cache.states("m")).isEqualTo(new VersionStates(4, java.util.Set.of(1, 2), java.util.Set.of(), Map.of()));
    two.close();  // over the capacity of one: v2 is the only version nobody holds
    await(() -> versions("m", 2).get(0).closed(), "v2 evicted");
    assertThat(one.model().closed()).isFalse();
    one.close();  // back within the capacity: v1 stays loaded
    try (Lease<Loaded> again = cache.acquireBlocking("m", 1)) {
      assertThat(again.model()).isSameAs(one.model());
    }
    try (Lease<Loaded> three = cache.acquireBlocking("m", 3)) {
      await(() -> versions("m", 1).get(0).closed(), "v1, least recently used, evicted");
      assertThat(three.model().closed()).isFalse();
    }
    assertThat(cache.loaded()).containsExactly("m:4", "m:3");
    try (Lease<Loaded> served = cache.acquireBlocking("m", 4)) {
      assertThat(served.model()).as("an explicit request for the served version").isSameAs(versions("m", 4).get(0));
    }
    assertThat(versions("m", 4)).singleElement().satisfies(l -> assertThat(l.closed()).isFalse());
  }

  /** Deletes a version as a trainer does: under the model's lock, gone whole at once. */
  void delete(String name, int version) {
    store.locked(name, "delete a version of", dir -> {
      store.remove(dir, version);
      return null;
    });
  }

  @Test
  void aDeletedVersionIsNotFoundAtOnceAndClosesWhenItsLastRequestEnds() throws Exception {
    ModelCache<Loaded> cache = preloaded(3, 2);
    Lease<Loaded> inFlight = cache.acquireBlocking("m", 1);
    cache.acquireBlocking("m", 2).close();
    assertThat(cache.loaded()).containsExactly("m:3", "m:1", "m:2");

    delete("m", 1);
    assertThat(failure(cache, "m", 1)).satisfies(e -> {
      assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND);
      assertThat(e.getMessage()).isEqualTo("model 'm' has no version 1; versions: [2, 3]");
    });
    assertThat(inFlight.model().closed()).as("a request in flight on it finishes").isFalse();
    inFlight.close();
    await(() -> versions("m", 1).get(0).closed(), "v1 closed after its last lease");

    delete("m", 2);  // nobody asks for it again: the announcement lets go of it
    cache.changed("m");
    await(() -> versions("m", 2).get(0).closed(), "v2 closed once announced");
    assertThat(cache.loaded()).containsExactly("m:3");
    try (Lease<Loaded> served = cache.acquireBlocking("m", 0)) {
      assertThat(served.version()).isEqualTo(3);
    }
  }

  @Test
  void concurrentRequestsForOneVersionLoadItOnce() throws Exception {
    publish("m");
    publish("m");
    ModelCache<Loaded> cache = cache(CacheOptions.preloading(2, Duration.ZERO, "test"));
    var leases = java.util.stream.IntStream.range(0, 8).mapToObj(i -> cache.acquire("m", 1)).toList();
    for (var lease : leases) {
      lease.get().close();
    }
    assertThat(versions("m", 1)).hasSize(1);
  }

  @Test
  void onDemandAnUnversionedRequestGetsTheNewestVersionInTheStoreAtOnce() throws Exception {
    publish("m");
    ModelCache<Loaded> cache = cache(CacheOptions.onDemand(2, "test"));
    assertThat(loaded).as("nothing is loaded before a request").isEmpty();
    try (Lease<Loaded> lease = cache.acquireBlocking("m", 0)) {
      assertThat(lease.version()).isEqualTo(1);
    }
    publish("m");
    cache.changed("m");  // no effect on demand: the next request looks itself
    try (Lease<Loaded> lease = cache.acquireBlocking("m", 0)) {
      assertThat(lease.version()).isEqualTo(2);
    }
    publish("m");
    try (Lease<Loaded> lease = cache.acquireBlocking("m", 0)) {
      assertThat(lease.version()).isEqualTo(3);
    }
    await(() -> versions("m", 1).get(0).closed(), "v1 evicted: on demand, the capacity counts every version");
    assertThat(cache.loaded()).containsExactly("m:2", "m:3");
    assertThat(cache.servedVersions()).isEmpty();
    assertThat(cache.notReadyReason()).isNull();
  }

  @Test
  void failuresAreTypedAndSayWhatIsThere() throws Exception {
    ModelCache<Loaded> empty = cache(CacheOptions.preloading(2, Duration.ZERO, "worker-7"));
    empty.initialLoad().get();
    ServingException nothing = failure(empty, "cats", 0);
    assertThat(nothing.reason()).isEqualTo(Reason.UNAVAILABLE);
    assertThat(nothing.getMessage()).startsWith("no model loaded on worker-7 (the model store ").endsWith(
        " is empty; asked for 'cats')");

    publish("cats");
    ModelCache<Loaded> cache = cache(CacheOptions.preloading(2, Duration.ZERO, "test")
        .withUpcoming(model -> model.equals("horses") ? Optional.of("being trained (job 7)") : Optional.empty()));
    cache.initialLoad().get();
    failing.add("cats:2");
    publish("cats");
    cache.changed("cats");
    await(() -> !cache.states("cats").failed().isEmpty(), "cats v2 failed");
    assertThat(cache.servedVersions()).as("v2 could not be loaded: v1 stays served").containsEntry("cats", 1);
    assertThat(cache.states("cats").failed()).containsOnlyKeys(2);
    assertThat(failure(cache, "dogs", 0)).satisfies(e -> {
      assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND);
      assertThat(e.getMessage()).isEqualTo("model 'dogs' is not served; known models: cats");
    });
    assertThat(failure(cache, "../etc", 0).reason()).isEqualTo(Reason.NOT_FOUND);
    assertThat(failure(cache, "cats", 7)).satisfies(e -> {
      assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND);
      assertThat(e.getMessage()).isEqualTo("model 'cats' has no version 7; versions: [1, 2]");
    });
    assertThat(failure(cache, "cats", 2)).satisfies(e -> {
      assertThat(e.reason()).isEqualTo(Reason.UNAVAILABLE);
      assertThat(e.getMessage()).isEqualTo("model 'cats' version 2 could not be loaded: bundle cats/2 is broken");
    });
    assertThat(failure(cache, "horses", 0)).satisfies(e -> {
      assertThat(e.reason()).isEqualTo(Reason.NOT_READY);
      assertThat(e.getMessage()).isEqualTo("model 'horses' is being trained (job 7); retry later");
    });
    assertThat(failure(cache, " ", 0).reason()).isEqualTo(Reason.INVALID_ARGUMENT);
    assertThat(failure(cache, "cats", -1).reason()).isEqualTo(Reason.INVALID_ARGUMENT);
    assertThat(failure(cache, "cats", 1L << 40).reason()).isEqualTo(Reason.INVALID_ARGUMENT);

    publish("zebras");
    failing.add("zebras:1");
    cache.changed("zebras");
    await(() -> !cache.states("zebras").failed().isEmpty(), "zebras v1 failed");
    assertThat(failure(cache, "zebras", 0)).satisfies(e -> {
      assertThat(e.reason()).isEqualTo(Reason.UNAVAILABLE);
      assertThat(e.getMessage()).isEqualTo("model 'zebras' version 1 could not be loaded: bundle zebras/1 is broken");
    });

    cache.close();
    assertThat(failure(cache, "cats", 0).reason()).isEqualTo(Reason.UNAVAILABLE);
    await(() -> versions("cats", 1).get(0).closed(), "closing the cache closes the versions");
  }

  @Test
  void aRequestRightAfterTheStartWaitsForTheStoresModels() throws Exception {
    publish("m");
    ModelCache<Loaded> cache = cache(CacheOptions.preloading(2, Duration.ZERO, "test"));
    try (Lease<Loaded> lease = cache.acquireBlocking("m", 0)) {
      assertThat(lease.version()).isEqualTo(1);
    }
  }

  @Test
  void theStoreScanFindsNewVersionsWithoutAnAnnouncement() throws Exception {
    publish("m");
    ModelCache<Loaded> cache = cache(CacheOptions.preloading(2, Duration.ofMillis(50), "test"));
    cache.initialLoad().get();
    publish("m");
    await(() -> cache.servedVersions().get("m") == 2, "v2 found by the scan");
    assertThatThrownBy(() -> CacheOptions.preloading(-1, Duration.ZERO, "test"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void labelsSwitchTheServedVersionUpAndDownAndKeepTheCanaryLoaded() throws Exception {
    publish("m");
    publish("m");
    publish("m");
    LifecycleStore lifecycles = new LifecycleStore(store);
    lifecycles.update("m", "test", l -> l.withLabel("stable", 1));
    LabelPolicy labels = new LabelPolicy(lifecycles, Duration.ofHours(1));  // here only announcements change it
    ModelCache<Loaded> cache = cache(CacheOptions.preloading(2, Duration.ZERO, "test"), labels);
    cache.initialLoad().get();
    assertThat(cache.servedVersions()).as("stable, not the newest").containsEntry("m", 1);

    Lifecycle up = lifecycles.update("m", "test", l -> l.withLabel("stable", 3).withLabel("canary", 2));
    assertThat(labels.announced("m", up)).isTrue();
    cache.changed("m");
    await(() -> cache.servedVersions().get("m") == 3, "stable moved up to v3");
    await(() -> cache.loaded().contains("m:2"), "the canary loaded ahead of its requests");
    await(() -> versions("m", 1).get(0).closed(), "the old stable closed");
    assertThat(labels.resolve("m", "canary")).isEqualTo(2);
    assertThat(labels.resolve("m", "stable")).isZero();
    assertThatThrownBy(() -> labels.resolve("m", "beta")).isInstanceOf(ServingException.class)
        .hasMessage("model 'm' has no label 'beta'; its labels: canary -> 2, stable -> 3");

    Lifecycle back = lifecycles.update("m", "test", l -> l.withLabel("stable", 2).withLabel("canary", 3));
    assertThat(labels.announced("m", up)).as("an older revision is ignored").isFalse();
    labels.announced("m", back);
    cache.changed("m");
    await(() -> cache.servedVersions().get("m") == 2, "rolled back down to v2");
    assertThat(versions("m", 2)).as("the loaded canary became stable: not loaded again").hasSize(1);
    assertThat(versions("m", 3)).as("the old stable stays loaded: it is the canary now").hasSize(1);
    assertThat(versions("m", 3).get(0).closed()).isFalse();
    try (Lease<Loaded> lease = cache.acquireBlocking("m", labels.resolve("m", "canary"))) {
      assertThat(lease.version()).isEqualTo(3);
    }
  }

  @Test
  void onDemandTheStableVersionIsReadFromTheStoreAndANewerAnnouncementWins() throws Exception {
    publish("m");
    publish("m");
    LifecycleStore lifecycles = new LifecycleStore(store);
    LabelPolicy labels = new LabelPolicy(lifecycles, Duration.ZERO);
    ModelCache<Loaded> cache = cache(CacheOptions.onDemand(2, "viz"), labels);
    try (Lease<Loaded> lease = cache.acquireBlocking("m", 0)) {
      assertThat(lease.version()).as("no labels kept: the newest").isEqualTo(2);
    }
    lifecycles.update("m", "test", l -> l.withLabel("stable", 1));
    try (Lease<Loaded> lease = cache.acquireBlocking("m", 0)) {
      assertThat(lease.version()).as("the store's stable").isEqualTo(1);
    }
    Lifecycle kept = lifecycles.current("m");
    labels.announced("m", new Lifecycle(kept.revision() + 5, Map.of("stable", 2), kept.policy(), "t", ""));
    try (Lease<Loaded> lease = cache.acquireBlocking("m", 0)) {
      assertThat(lease.version()).as("announced with a higher revision than the store's (a volume syncing)")
          .isEqualTo(2);
    }
  }
}
