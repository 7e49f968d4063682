package io.convnet.data;

/**
 * Random image augmentation with Keras {@code ImageDataGenerator} semantics; the training split only.
 * Applied to the image already resized to the model input, before scaling (as Keras does). Each image
 * gets one {@link TransformParameters} drawn from its own {@link SeededRandom}.
 *
 * <p>Units, as in Keras 2:
 * <ul>
 *   <li>{@code rotationRange}: degrees, angle uniform in {@code [-r, r]}.
 *   <li>{@code widthShiftRange}, {@code heightShiftRange}: below 1 a fraction of the width/height,
 *       from 1 on pixels; shift uniform in {@code [-s, s]}.
 *   <li>{@code shearRange}: <b>degrees</b> (Keras 2's {@code apply_affine_transform}; Keras 1 took
 *       radians). The tutorial's {@code shear_range=0.2} is therefore a 0.2 degree shear, nearly
 *       nothing; we keep that meaning. Use e.g. 11.5 for the 0.2 radian the tutorial once meant.
 *   <li>{@code zoomMin..zoomMax}: {@code zx} (rows) and {@code zy} (columns) drawn independently;
 *       above 1 zooms out, as in Keras. Keras' {@code zoom_range=0.2} is {@code [0.8, 1.2]}.
 *   <li>{@code horizontalFlip}/{@code verticalFlip}: each with probability 1/2.
 *   <li>{@code brightnessMin..brightnessMax}: pixel values multiplied by a factor drawn uniformly,
 *       clipped to 255 ({@code 1, 1} = off).
 *   <li>Fill mode: nearest (Keras {@code fill_mode='nearest'}), the only one implemented.
 * </ul>
 *
 * @param rotationRange degrees
 * @param widthShiftRange fraction of the width (< 1) or pixels (>= 1)
 * @param heightShiftRange fraction of the height (< 1) or pixels (>= 1)
 * @param shearRange degrees
 * @param zoomMin smallest zoom factor
 * @param zoomMax largest zoom factor
 * @param horizontalFlip mirror left-right half of the time
 * @param verticalFlip mirror top-bottom half of the time
 * @param brightnessMin smallest brightness factor
 * @param brightnessMax largest brightness factor
 */
public record Augmentation(
    double rotationRange,
    double widthShiftRange,
    double heightShiftRange,
    double shearRange,
    double zoomMin,
    double zoomMax,
    boolean horizontalFlip,
    boolean verticalFlip,
    double brightnessMin,
    double brightnessMax) {

  private static final Augmentation NONE = new Augmentation(0, 0, 0, 0, 1, 1, false, false, 1, 1);

  public Augmentation {
    require(rotationRange >= 0 && rotationRange <= 180, "rotationRange must be in [0, 180] degrees");
    require(widthShiftRange >= 0 && heightShiftRange >= 0, "shift ranges must not be negative");
    require(shearRange >= 0 && shearRange < 90, "shearRange must be in [0, 90) degrees");
    require(zoomMin > 0 && zoomMin <= zoomMax, "zoom range must satisfy 0 < min <= max");
    require(brightnessMin >= 0 && brightnessMin <= brightnessMax, "brightness range must satisfy 0 <= min <= max");
  }

  /** No augmentation (validation, evaluation). */
  public static Augmentation none() {
    return NONE;
  }

  /**
   * The tutorial's generator ({@code rotation_range=40, width_shift_range=0.2,
   * height_shift_range=0.2, shear_range=0.2, zoom_range=0.2, horizontal_flip=True,
   * fill_mode='nearest'}) plus the brightness range [0.8, 1.2] the issue asks for.
   */
  public static Augmentation tutorial() {
    return new Augmentation(40, 0.2, 0.2, 0.2, 0.8, 1.2, true, false, 0.8, 1.2);
  }

  /**
   * For handwritten digits (LeNet-5 on MNIST): small rotations ({@code rotation_range=10}) and shifts
   * ({@code width_shift_range=height_shift_range=0.08}, 2.56 pixels of a 32x32 input, about a tenth of the
   * 20-pixel digit) only. No flips: a mirrored 2 or 7 is not a digit, and a 6 turned upside down is a 9. No
   * shear, zoom or brightness: MNIST's digits are size-normalised and saturated, as the serving side's
   * normalisation makes uploads.
   */
  public static Augmentation digits() {
    return new Augmentation(10, 0.08, 0.08, 0, 1, 1, false, false, 1, 1);
  }

  /** Keras' parameter names and values, e.g. for a model manifest. */
  public java.util.Map<String, Object> describe() {
    java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("rotation_range", rotationRange);
    m.put("width_shift_range", widthShiftRange);
    m.put("height_shift_range", heightShiftRange);
    m.put("shear_range", shearRange);
    m.put("zoom_range", java.util.List.of(zoomMin, zoomMax));
    m.put("horizontal_flip", horizontalFlip);
    m.put("vertical_flip", verticalFlip);
    m.put("brightness_range", java.util.List.of(brightnessMin, brightnessMax));
    m.put("fill_mode", "nearest");
    return m;
  }

  public Augmentation withRotation(double degrees) {
    return new Augmentation(degrees, widthShiftRange, heightShiftRange, shearRange, zoomMin, zoomMax,
        horizontalFlip, verticalFlip, brightnessMin, brightnessMax);
  }

  public Augmentation withShift(double width, double height) {
    return new Augmentation(rotationRange, width, height, shearRange, zoomMin, zoomMax,
        horizontalFlip, verticalFlip, brightnessMin, brightnessMax);
  }

  public Augmentation withShear(double degrees) {
    return new Augmentation(rotationRange, widthShiftRange, heightShiftRange, degrees, zoomMin, zoomMax,
        horizontalFlip, verticalFlip, brightnessMin, brightnessMax);
  }

  /** Keras' {@code zoom_range=z}: factors in {@code [1 - z, 1 + z]}. */
  public Augmentation withZoom(double range) {
    return withZoom(1 - range, 1 + range);
  }

  public Augmentation withZoom(double min, double max) {
    return new Augmentation(rotationRange, widthShiftRange, heightShiftRange, shearRange, min, max,
        horizontalFlip, verticalFlip, brightnessMin, brightnessMax);
  }

  public Augmentation withFlips(boolean horizontal, boolean vertical) {
    return new Augmentation(rotationRange, widthShiftRange, heightShiftRange, shearRange, zoomMin, zoomMax,
        horizontal, vertical, brightnessMin, brightnessMax);
  }

  public Augmentation withBrightness(double min, double max) {
    return new Augmentation(rotationRange, widthShiftRange, heightShiftRange, shearRange, zoomMin, zoomMax,
        horizontalFlip, verticalFlip, min, max);
  }

  /** True when every draw is the identity. */
  public boolean isNone() {
    return rotationRange == 0 && widthShiftRange == 0 && heightShiftRange == 0 && shearRange == 0
        && zoomMin == 1 && zoomMax == 1 && !horizontalFlip && !verticalFlip
        && brightnessMin == 1 && brightnessMax == 1;
  }

  /**
   * Draws one image's transform, in Keras' order: angle, row shift, column shift, shear, row zoom,
   * column zoom, horizontal flip, vertical flip, brightness. Every value is drawn even when its range is
   * empty, so changing one setting never changes the others' draws.
   */
  public TransformParameters draw(SeededRandom random, int height, int width) {
    double theta = random.uniform(-rotationRange, rotationRange);
    double tx = random.uniform(-heightShiftRange, heightShiftRange) * (heightShiftRange < 1 ? height : 1);
    double ty = random.uniform(-widthShiftRange, widthShiftRange) * (widthShiftRange < 1 ? width : 1);
    double shear = random.uniform(-shearRange, shearRange);
    double zx = random.uniform(zoomMin, zoomMax);
    double zy = random.uniform(zoomMin, zoomMax);
    boolean flipH = random.nextBoolean() && horizontalFlip;
    boolean flipV = random.nextBoolean() && verticalFlip;
    double brightness = random.uniform(brightnessMin, brightnessMax);
    return new TransformParameters(theta, tx, ty, shear, zx, zy, flipH, flipV, brightness);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
