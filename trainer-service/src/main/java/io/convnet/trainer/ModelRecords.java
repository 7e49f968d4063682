package io.convnet.trainer;

import io.convnet.bundle.BundleStore;
import io.convnet.bundle.BundleWriter;
import io.convnet.bundle.Manifest;
import io.convnet.lifecycle.Lifecycle;
import io.convnet.lifecycle.PromotionPolicy;
import io.convnet.proto.ModelPublished;
import io.convnet.util.Json;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The models-topic record of a model: its newest version and its whole {@link Lifecycle} (labels,
 * policy, revision), one record per model so that the compacted topic keeps all of it.
 */
final class ModelRecords {
  private ModelRecords() {
  }

  /** {@code record} with {@code lifecycle}'s labels, policy and revision. */
  static ModelPublished withLifecycle(ModelPublished record, Lifecycle lifecycle) {
    ModelPublished.Builder b = record.toBuilder().clearVersionLabels().setRevision(lifecycle.revision())
        .setPolicy(policy(lifecycle.policy()));
    lifecycle.labels().forEach((label, v) -> b.putVersionLabels(label, v));
    return b.build();
  }

  /** The record of a model whose labels changed: its newest version as its manifest describes it. */
  static ModelPublished current(BundleStore store, String name, Lifecycle lifecycle) {
    int newest = store.latestVersion(name).orElseThrow();
    ModelPublished.Builder b = ModelPublished.newBuilder().setName(name).setVersion(newest).setPath(name + "/" + newest);
    try {
      Manifest m = Json.read(store.path(name, newest).resolve(BundleWriter.MANIFEST), Manifest.class);
      if (m.architecture() != null) {
        b.setArchitecture(m.architecture());
      }
      if (m.labels() != null) {
        b.addAllLabels(m.labels());
      }
      if (m.createdAt() != null) {
        b.setCreatedMs(Instant.parse(m.createdAt()).toEpochMilli());
      }
      if (m.metrics() != null) {
        b.putMetrics("loss", m.metrics().loss()).putMetrics("accuracy", m.metrics().accuracy())
            .putMetrics("val_loss", m.metrics().valLoss()).putMetrics("val_accuracy", m.metrics().valAccuracy());
      }
    } catch (UncheckedIOException | DateTimeParseException e) {
      // the record still names the version and carries the labels, which is what readers act on
    }
    return withLifecycle(b.build(), lifecycle);
  }

  static io.convnet.proto.PromotionPolicy policy(PromotionPolicy p) {
    return io.convnet.proto.PromotionPolicy.newBuilder().setMode(p.mode()).setTolerance(p.tolerance())
        .setFloor(p.floor()).setCanaryShare(p.canaryShare()).setShadowShare(p.shadowShare()).build();
  }
}
