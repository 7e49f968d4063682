package io.convnet.limits;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Version labels and promotion policies: their names, what a policy may say, and its defaults. Plain
 * constants, like {@link TrainingLimits}: the gateway checks requests with them without TensorFlow,
 * the trainer (which writes labels) and the serving runtime (which reads them) with the same values.
 */
public final class LifecycleLimits {
  private LifecycleLimits() {}

  /** What a request without a version or label gets. A served model always has it. */
  public static final String STABLE = "stable";
  /** The version that gets a share of unlabelled requests, when there is one. */
  public static final String CANARY = "canary";
  /** Label names: a lower-case letter, then up to 31 lower-case letters, digits, '_' or '-'. */
  public static final Pattern LABEL = Pattern.compile("[a-z][a-z0-9_-]{0,31}");

  public static final String MANUAL = "manual";
  public static final String AUTO = "auto";
  /** Policy modes: what a newly published version (not the model's first) becomes. */
  public static final List<String> MODES = List.of(MANUAL, AUTO, CANARY);

  public static final String DEFAULT_MODE = MANUAL;
  /** auto: a candidate may be this much less accurate (validation accuracy) than stable. */
  public static final double DEFAULT_TOLERANCE = 0.01;
  /** auto: and must reach this validation accuracy. */
  public static final double DEFAULT_FLOOR = 0.5;
  public static final double DEFAULT_CANARY_SHARE = 0.1;
  /** Every canary answer is also scored by stable to compare them (lower it to save compute). */
  public static final double DEFAULT_SHADOW_SHARE = 1.0;

  /** IllegalArgumentException unless a policy of these values makes sense (see {@code PromotionPolicy}). */
  public static void checkPolicy(String mode, double tolerance, double floor, double canaryShare,
                                 double shadowShare) {
    if (!MODES.contains(mode)) {
      throw new IllegalArgumentException("mode must be one of " + MODES + ", not '" + mode + "'");
    }
    share("tolerance", tolerance);
    share("floor", floor);
    share("canaryShare", canaryShare);
    share("shadowShare", shadowShare);
  }

  private static void share(String name, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(name + " must be between 0 and 1, not " + value);
    }
  }

  /** The label, or IllegalArgumentException saying what a label may be. */
  public static String checkLabel(String label) {
    if (label == null || !LABEL.matcher(label).matches()) {
      throw new IllegalArgumentException("invalid label '" + label + "': use a lower-case letter, then up to 31 "
          + "lower-case letters, digits, '_' or '-' (e.g. stable, canary)");
    }
    return label;
  }
}
