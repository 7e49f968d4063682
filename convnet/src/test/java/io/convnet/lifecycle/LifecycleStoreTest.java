package io.convnet.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convnet.bundle.BundleStore;
import io.convnet.bundle.BundleWriter;
import io.convnet.limits.LifecycleLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LifecycleStoreTest {
  @TempDir
  Path tmp;

  /** Publishes a version whose manifest says {@code valAccuracy}. */
  static int publish(BundleStore store, String name, double valAccuracy) {
    return store.publish(name, (dir, v) -> {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(BundleWriter.MANIFEST), "{\"version\": " + v + ", \"metrics\": {\"loss\": 0.5, "
          + "\"accuracy\": 0.8, \"val_loss\": 0.6, \"val_accuracy\": " + valAccuracy + "}}");
    });
  }

  static PromotionPolicy policy(String mode) {
    return new PromotionPolicy(mode, 0.02, 0.6, 0.25, 1.0);
  }

  @Test
  void theFirstVersionBecomesStableAndLaterOnesWaitUnderTheManualPolicy() {
    BundleStore bundles = new BundleStore(tmp.resolve("models"));
    LifecycleStore store = new LifecycleStore(bundles);
    assertThat(store.current("pets").labels()).isEmpty();

    PromotionGate.Decision first = store.published("pets", publish(bundles, "pets", 0.7));
    assertThat(first.promotion()).isEqualTo("stable: the model's first version");
    assertThat(first.next().labels()).isEqualTo(Map.of("stable", 1));
    assertThat(first.next().revision()).as("milliseconds of the change").isGreaterThan(1_700_000_000_000L);
    assertThat(first.next().updatedBy()).isEqualTo("trainer");

    PromotionGate.Decision second = store.published("pets", publish(bundles, "pets", 0.99));
    assertThat(second.promotion()).startsWith("candidate: waits to be promoted (policy manual; stable stays v1");
    assertThat(second.next().labels()).isEqualTo(Map.of("stable", 1));

    // Kept in the store: a new reader (a restarted service) sees the same state.
    Lifecycle reread = new LifecycleStore(new BundleStore(tmp.resolve("models"))).read("pets").orElseThrow();
    assertThat(reread).isEqualTo(second.next());
    assertThat(tmp.resolve("models/pets/lifecycle.json")).content().contains("\"stable\" : 1", "\"mode\" : \"manual\"");
  }

  @Test
  void aModelKeptWithoutStateServesItsNewestVersionUntilItsNextPublishKeepsThat() throws Exception {
    BundleStore bundles = new BundleStore(tmp.resolve("models"));
    publish(bundles, "legacy", 0.7);
    publish(bundles, "legacy", 0.7);
    LifecycleStore store = new LifecycleStore(bundles);
    assertThat(store.read("legacy")).isEmpty();
    assertThat(store.current("legacy").stable()).isEqualTo(2);
    assertThat(store.current("legacy").revision()).isZero();

    PromotionGate.Decision third = store.published("legacy", publish(bundles, "legacy", 0.9));
    assertThat(third.next().labels()).isEqualTo(Map.of("stable", 2));
    assertThat(third.next().revision()).isPositive();
  }

  @Test
  void theAutoPolicyPromotesOnlyAVersionWithinTheToleranceAndAboveTheFloor() {
    BundleStore bundles = new BundleStore(tmp.resolve("models"));
    LifecycleStore store = new LifecycleStore(bundles);
    store.published("pets", publish(bundles, "pets", 0.80));
    store.update("pets", "ops", l -> l.withPolicy(policy("auto")));

    PromotionGate.Decision worse = store.published("pets", publish(bundles, "pets", 0.77));
    assertThat(worse.promotion()).isEqualTo("candidate: not promoted by the auto policy (val_accuracy 0.7700 < "
        + "0.7800, the larger of stable v1's 0.8000 minus tolerance 0.02 and floor 0.6)");
    assertThat(worse.next().stable()).isEqualTo(1);

    PromotionGate.Decision close = store.published("pets", publish(bundles, "pets", 0.79));
    assertThat(close.promotion()).startsWith("stable: promoted by the auto policy (val_accuracy 0.7900 >= 0.7800");
    assertThat(close.next().stable()).isEqualTo(3);

    store.update("pets", "ops", l -> l.withPolicy(new PromotionPolicy("auto", 0.5, 0.9, 0.1, 1)));
    PromotionGate.Decision belowFloor = store.published("pets", publish(bundles, "pets", 0.85));
    assertThat(belowFloor.promotion()).contains("val_accuracy 0.8500 < 0.9000");
    assertThat(belowFloor.next().stable()).isEqualTo(3);
  }

  @Test
  void theCanaryPolicyLabelsTheNewVersionAndPromotingItEndsTheCanary() {
    BundleStore bundles = new BundleStore(tmp.resolve("models"));
    LifecycleStore store = new LifecycleStore(bundles);
    store.published("pets", publish(bundles, "pets", 0.8));
    store.update("pets", "ops", l -> l.withPolicy(policy("canary")));
    PromotionGate.Decision d = store.published("pets", publish(bundles, "pets", 0.5));
    assertThat(d.promotion()).isEqualTo("canary: gets 25% of unlabelled requests beside stable v1");
    assertThat(d.next().labels()).isEqualTo(Map.of("stable", 1, "canary", 2));

    Lifecycle promoted = store.update("pets", "ops", l -> l.withLabel(LifecycleLimits.STABLE, 2));
    assertThat(promoted.labels()).isEqualTo(Map.of("stable", 2));
    assertThat(promoted.updatedBy()).isEqualTo("ops");
  }

  @Test
  void anUnchangedStateIsNotWrittenAgainAndChangesAreSerializedWithOneRevisionEach() throws Exception {
    BundleStore bundles = new BundleStore(tmp.resolve("models"));
    LifecycleStore store = new LifecycleStore(bundles);
    store.published("pets", publish(bundles, "pets", 0.8));
    publish(bundles, "pets", 0.8);
    long before = store.current("pets").revision();
    assertThat(store.update("pets", "ops", l -> l.withLabel("stable", 1)).revision()).isEqualTo(before);

    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<Lifecycle>> changes = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      changes.add(pool.submit(() -> store.update("pets", "t", l -> l.withLabel("stable", l.stable() == 1 ? 2 : 1))));
    }
    List<Long> revisions = new ArrayList<>();
    for (Future<Lifecycle> f : changes) {
      revisions.add(f.get().revision());
    }
    pool.shutdown();
    assertThat(revisions).doesNotHaveDuplicates().hasSize(20).allMatch(r -> r > before);
    assertThat(store.current("pets").revision()).isEqualTo(revisions.stream().mapToLong(r -> r).max().orElseThrow());
    assertThat(store.current("pets").stable()).isEqualTo(1);  // flipped an even number of times
  }

  @Test
  void policiesAndLabelsAreChecked() {
    assertThatThrownBy(() -> new PromotionPolicy("yolo", 0, 0, 0, 0)).hasMessageContaining("mode must be one of");
    assertThatThrownBy(() -> new PromotionPolicy("auto", 0, 0, 1.5, 0)).hasMessage("canaryShare must be between 0 and 1, not 1.5");
    assertThatThrownBy(() -> LifecycleLimits.checkLabel("Stable")).hasMessageContaining("invalid label 'Stable'");
    assertThat(LifecycleLimits.checkLabel("prod-eu_2")).isEqualTo("prod-eu_2");
  }

  @Test
  void aRequestAlreadyAppliedOrRefusedChangesNothingWhenItComesAgain() {
    BundleStore bundles = new BundleStore(tmp.resolve("models"));
    LifecycleStore store = new LifecycleStore(bundles);
    store.published("pets", publish(bundles, "pets", 0.7));
    store.published("pets", publish(bundles, "pets", 0.8));

    store.update("pets", "ops", "a", l -> l.withLabel("stable", 2));
    Lifecycle rolledBack = store.update("pets", "ops", "b", l -> l.withLabel("stable", 1));
    assertThat(store.update("pets", "ops", "a", l -> l.withLabel("stable", 2))).isEqualTo(rolledBack);
    assertThat(store.current("pets").stable()).isEqualTo(1);

    // one that changed nothing, and one that was refused, are remembered as well
    store.update("pets", "ops", "c", l -> l.withLabel("stable", 1));
    assertThatThrownBy(() -> store.update("pets", "ops", "d", l -> {
      throw new IllegalArgumentException("refused");
    })).hasMessage("refused");
    store.update("pets", "ops", "e", l -> l.withLabel("stable", 2));
    store.update("pets", "ops", "c", l -> l.withLabel("stable", 1));
    store.update("pets", "ops", "d", l -> l.withLabel("stable", 1));
    assertThat(store.current("pets").stable()).isEqualTo(2);
    assertThat(store.current("pets").appliedRequests()).containsExactly("a", "b", "c", "d", "e");

    for (int i = 0; i < 2 * Lifecycle.APPLIED_KEPT; i++) {
      store.update("pets", "ops", "r" + i, l -> l.withLabel("canary", 1));
    }
    assertThat(store.current("pets").appliedRequests()).hasSize(Lifecycle.APPLIED_KEPT)
        .endsWith("r" + (2 * Lifecycle.APPLIED_KEPT - 1));
  }
}
