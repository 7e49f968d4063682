package io.convnet.lifecycle;

import io.convnet.limits.LifecycleLimits;
import java.util.Locale;

/**
 * What a newly published version becomes: the model's first becomes {@code stable}; a later one what
 * the model's {@link PromotionPolicy} says (a candidate that waits, stable by the auto policy's metric
 * gate, or the canary).
 */
public final class PromotionGate {
  private PromotionGate() {}

  /**
   * @param next      the state after the decision (the same labels when the version is a candidate)
   * @param promotion what it became and why, e.g. "candidate: waits to be promoted (policy manual)"
   */
  public record Decision(Lifecycle next, String promotion) {
  }

  /**
   * @param before       the model's state before {@code version} was published
   * @param candidateAcc the new version's validation accuracy (NaN when unknown)
   * @param stableAcc    the stable version's validation accuracy (NaN when unknown)
   */
  public static Decision decide(Lifecycle before, int version, double candidateAcc, double stableAcc) {
    if (before.stable() == 0) {
      return new Decision(before.withLabel(LifecycleLimits.STABLE, version), "stable: the model's first version");
    }
    PromotionPolicy p = before.policy();
    return switch (p.mode()) {
      case LifecycleLimits.AUTO -> auto(before, version, candidateAcc, stableAcc, p);
      case LifecycleLimits.CANARY -> new Decision(before.withLabel(LifecycleLimits.CANARY, version),
          "canary: gets " + percent(p.canaryShare()) + " of unlabelled requests beside stable v" + before.stable());
      default -> new Decision(before, "candidate: waits to be promoted (policy manual; stable stays v"
          + before.stable() + ")");
    };
  }

  private static Decision auto(Lifecycle before, int version, double candidate, double stable, PromotionPolicy p) {
    if (Double.isNaN(candidate)) {
      return new Decision(before, "candidate: its validation accuracy is unknown, so the auto policy cannot "
          + "promote it (stable stays v" + before.stable() + ")");
    }
    double bar = Double.isNaN(stable) ? p.floor() : Math.max(p.floor(), stable - p.tolerance());
    String figures = String.format(Locale.ROOT, "val_accuracy %.4f %s %.4f, the larger of stable v%d's %s minus "
        + "tolerance %s and floor %s", candidate, candidate >= bar ? ">=" : "<", bar, before.stable(),
        Double.isNaN(stable) ? "(unknown)" : String.format(Locale.ROOT, "%.4f", stable), plain(p.tolerance()),
        plain(p.floor()));
    if (candidate >= bar) {
      return new Decision(before.withLabel(LifecycleLimits.STABLE, version), "stable: promoted by the auto policy ("
          + figures + ")");
    }
    return new Decision(before, "candidate: not promoted by the auto policy (" + figures + ")");
  }

  private static String percent(double share) {
    return plain(share * 100) + "%";
  }

  private static String plain(double x) {
    return io.convnet.limits.TrainingLimits.plain(Math.round(x * 10000) / 10000.0);
  }
}
