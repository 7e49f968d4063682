package io.convnet.lifecycle;

import io.convnet.bundle.BundleStore;
import io.convnet.bundle.BundleWriter;
import io.convnet.bundle.Manifest;
import io.convnet.util.AtomicFiles;
import io.convnet.util.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Each model's {@link Lifecycle} in the model store, {@code <store>/<model>/lifecycle.json}: read by
 * anyone, written only under the model's lock ({@link BundleStore#locked}) and atomically (a temporary
 * file renamed into place), so that changes are serialized per model across processes and survive
 * restarts. A model without the file has the {@link Lifecycle#initial initial} state: stable is its
 * newest version.
 */
public final class LifecycleStore {
  public static final String FILE = "lifecycle.json";

  private final BundleStore store;

  public LifecycleStore(BundleStore store) {
    this.store = store;
  }

  public BundleStore bundles() {
    return store;
  }

  /** The kept state, empty when the model has none; UncheckedIOException when it cannot be read. */
  public Optional<Lifecycle> read(String name) {
    Path file = store.root().resolve(BundleStore.checkModelName(name)).resolve(FILE);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    return Optional.of(Json.read(file, Lifecycle.class));
  }

  /** The kept state, else the initial one (stable: the newest version). */
  public Lifecycle current(String name) {
    return read(name).orElseGet(() -> Lifecycle.initial(store.latestVersion(name)));
  }

  /**
   * Changes the state of a model that has versions, under its lock: {@code change} sees the current state
   * and returns the next (or the same, which writes nothing). Returns the state now kept.
   */
  public Lifecycle update(String name, String actor, UnaryOperator<Lifecycle> change) {
    return update(name, actor, "", change);
  }

  /**
   * {@link #update(String, String, UnaryOperator)} asked for by request {@code requestId}: a request already
   * applied (delivered again) changes nothing and gets the state as it is now.
   */
  public Lifecycle update(String name, String actor, String requestId, UnaryOperator<Lifecycle> change) {
    return store.locked(name, "change the labels of", dir -> {
      Lifecycle before = current(name);
      if (applied(before, requestId)) {
        return before;
      }
      return write(dir, before, checked(dir, before, requestId, change), actor, requestId);
    });
  }

  /**
   * Deletes {@code version} of a model as request {@code requestId} asks (delivered again: nothing happens),
   * under its lock: {@code check} sees the state first and refuses by throwing (no such version, a label names
   * it). The version disappears whole ({@link BundleStore#remove}), then the state is kept with a new revision:
   * the change to announce.
   */
  public Lifecycle deleteVersion(String name, int version, String actor, String requestId, Consumer<Lifecycle> check) {
    return store.locked(name, "delete a version of", dir -> {
      Lifecycle before = current(name);
      if (applied(before, requestId)) {
        return before;
      }
      checked(dir, before, requestId, l -> {
        check.accept(l);
        return l;
      });
      store.remove(dir, version);
      Lifecycle next = before.next(before, actor, System.currentTimeMillis(), requestId);
      AtomicFiles.write(dir.resolve(FILE), Json.MAPPER.writeValueAsBytes(next));
      return next;
    });
  }

  private static boolean applied(Lifecycle state, String requestId) {
    return !requestId.isEmpty() && state.appliedRequests().contains(requestId);
  }

  /** {@code change} applied to {@code before}; a refusal (it throws) is kept as answered: delivered again, it must not succeed later. */
  private static Lifecycle checked(Path modelDir, Lifecycle before, String requestId, UnaryOperator<Lifecycle> change)
      throws IOException {
    try {
      return change.apply(before);
    } catch (RuntimeException refused) {
      recordApplied(modelDir, before, requestId);
      throw refused;
    }
  }

  /**
   * {@code version} was just published: the {@link PromotionGate} decides what it becomes, and the state is
   * kept (for a model kept without state until now, stable was its newest version before this one).
   */
  public PromotionGate.Decision published(String name, int version) {
    return store.locked(name, "publish", dir -> {
      Lifecycle before = read(name).orElseGet(() -> Lifecycle.initial(store.versions(name).stream()
          .filter(v -> v < version).reduce((a, b) -> b)));
      PromotionGate.Decision d = PromotionGate.decide(before, version, valAccuracy(name, version),
          before.stable() == 0 ? Double.NaN : valAccuracy(name, before.stable()));
      return new PromotionGate.Decision(write(dir, before, d.next(), "trainer", ""), d.promotion());
    });
  }

  private static Lifecycle write(Path modelDir, Lifecycle before, Lifecycle after, String actor, String requestId)
      throws IOException {
    if (after.sameAs(before) && before.revision() > 0) {
      return recordApplied(modelDir, before, requestId);
    }
    Lifecycle next = after.next(before, actor, System.currentTimeMillis(), requestId);
    AtomicFiles.write(modelDir.resolve(FILE), Json.MAPPER.writeValueAsBytes(next));
    return next;
  }

  /** {@code state} with {@code requestId} among its applied requests, kept (same revision: nothing else changed). */
  private static Lifecycle recordApplied(Path modelDir, Lifecycle state, String requestId) throws IOException {
    if (requestId.isEmpty() || state.revision() == 0) {
      return state;
    }
    Lifecycle recorded = state.withApplied(requestId);
    AtomicFiles.write(modelDir.resolve(FILE), Json.MAPPER.writeValueAsBytes(recorded));
    return recorded;
  }

  /** A version's validation accuracy from its manifest; NaN when it does not say. */
  private double valAccuracy(String name, int version) {
    Path manifest = store.path(name, version).resolve(BundleWriter.MANIFEST);
    try {
      Manifest m = Json.read(manifest, Manifest.class);
      return m.metrics() == null ? Double.NaN : m.metrics().valAccuracy();
    } catch (UncheckedIOException e) {
      return Double.NaN;
    }
  }
}
