package io.convnet.lifecycle;

import io.convnet.limits.LifecycleLimits;

/**
 * What happens to a newly published version that is not the model's first.
 *
 * @param mode        {@code manual}: it waits for someone to move {@code stable} onto it;
 *                    {@code auto}: it becomes stable when its validation accuracy is at least stable's
 *                    minus {@code tolerance} and at least {@code floor}; {@code canary}: it becomes the
 *                    {@code canary}
 * @param canaryShare share of unlabelled requests (classify, score records) the canary gets, 0..1
 * @param shadowShare share of the canary's requests also scored by stable to compare them, 0..1
 */
public record PromotionPolicy(String mode, double tolerance, double floor, double canaryShare, double shadowShare) {
  public static final PromotionPolicy DEFAULT = new PromotionPolicy(LifecycleLimits.DEFAULT_MODE,
      LifecycleLimits.DEFAULT_TOLERANCE, LifecycleLimits.DEFAULT_FLOOR, LifecycleLimits.DEFAULT_CANARY_SHARE,
      LifecycleLimits.DEFAULT_SHADOW_SHARE);

  public PromotionPolicy {
    LifecycleLimits.checkPolicy(mode, tolerance, floor, canaryShare, shadowShare);
  }
}
