package io.convnet.worker.model;

import io.convnet.lifecycle.Lifecycle;
import io.convnet.lifecycle.PromotionPolicy;
import io.convnet.proto.ModelInfo;
import io.convnet.proto.ModelPublished;
import java.util.Map;
import java.util.TreeMap;

/** A model's labels and policy as the models topic announces them, and as the models exchange shows them. */
final class LifecycleMessages {
  private LifecycleMessages() {
  }

  /** The state a models-topic record carries (revision 0: none, a record of before labels). */
  static Lifecycle of(ModelPublished record) {
    Map<String, Integer> labels = new TreeMap<>();
    record.getVersionLabelsMap().forEach((label, v) -> labels.put(label, Math.toIntExact(v)));
    io.convnet.proto.PromotionPolicy p = record.getPolicy();
    return new Lifecycle(record.getRevision(), labels, new PromotionPolicy(p.getMode(), p.getTolerance(), p.getFloor(),
        p.getCanaryShare(), p.getShadowShare()), "", "");
  }

  static void describe(Lifecycle l, ModelInfo.Builder info) {
    l.labels().forEach((label, v) -> info.putVersionLabels(label, v));
    PromotionPolicy p = l.policy();
    info.setLabelsRevision(l.revision()).setPolicy(io.convnet.proto.PromotionPolicy.newBuilder().setMode(p.mode())
        .setTolerance(p.tolerance()).setFloor(p.floor()).setCanaryShare(p.canaryShare())
        .setShadowShare(p.shadowShare()));
  }
}
