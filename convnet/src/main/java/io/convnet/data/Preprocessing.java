package io.convnet.data;

import io.convnet.image.ImageDecoder;
import io.convnet.image.MnistDigits;
import io.convnet.image.RgbImage;
import io.convnet.image.Resize;
import java.nio.file.Path;
import java.util.Locale;

/**
 * How an image becomes model input: resize to the input size, then scale the pixel values. The one
 * place preprocessing lives; training, inference and visualization all call it, so a model sees the
 * same numbers everywhere. Immutable and thread-safe.
 *
 * <p>Resizing is {@link Resize#bilinear} (bilinear, area-averaging when shrinking a lot). Keras'
 * {@code flow_from_directory} defaults to nearest-neighbour; we prefer a resize that does not alias
 * large uploads, and use it at training and serving alike. {@link Mode#MNIST} instead normalises the
 * digit as MNIST's were made ({@link MnistDigits}) and pads the 28x28 field to the input size.
 *
 * <p>Images travel as {@link RgbImage} (a gray image has R = G = B) until they become floats: one float
 * per pixel for a one-channel mode (its luma), three for the others.
 *
 * @param height model input height
 * @param width model input width
 * @param mode resizing and pixel scaling
 */
public record Preprocessing(int height, int width, Mode mode) {

  /** Pixel scaling; output is NHWC float with {@link #channels()} channels. */
  public enum Mode {
    /** {@code x / 255}: RGB in [0, 1] (the tutorial's {@code rescale=1./255}). */
    RESCALE(1f / 255f, new float[] {0f, 0f, 0f}, false, 3),
    /**
     * Keras {@code preprocess_input} for VGG16's ImageNet weights ("caffe"): RGB -> BGR, subtract the
     * ImageNet mean {@code [103.939, 116.779, 123.68]} (B, G, R), no scaling.
     */
    CAFFE(1f, new float[] {103.939f, 116.779f, 123.68f}, true, 3),
    /**
     * Handwritten digits for LeNet-5: the picture normalised as MNIST's digits ({@link MnistDigits}: one
     * channel, light on black, a 20x20 box, centre of mass at the centre of 28x28), padded with black to
     * the input size (32x32, as LeCun et al. fed it), then {@code x / 255}.
     */
    MNIST(1f / 255f, new float[] {0f}, false, 1);

    final float scale;
    final float[] mean;
    final boolean bgr;
    final int channels;

    Mode(float scale, float[] mean, boolean bgr, int channels) {
      this.scale = scale;
      this.mean = mean;
      this.bgr = bgr;
      this.channels = channels;
    }

    /** The factor pixel values 0..255 are multiplied by. */
    public float scale() {
      return scale;
    }

    /** Subtracted per channel after scaling, in output channel order (B, G, R for {@link #CAFFE}). */
    public float[] mean() {
      return mean.clone();
    }

    /** Whether the output channels are B, G, R. */
    public boolean bgr() {
      return bgr;
    }

    /** Parses a name case-insensitively ("rescale", "CAFFE", "mnist"), e.g. from a model manifest. */
    public static Mode parse(String name) {
      try {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("unknown preprocessing mode '" + name + "'; known: rescale, caffe, mnist",
            e);
      }
    }

    /** Channels of the model input: 1 for {@link #MNIST}, else 3. */
    public int channels() {
      return channels;
    }
  }

  public Preprocessing {
    if (height <= 0 || width <= 0) {
      throw new IllegalArgumentException("input size must be positive, got " + height + "x" + width);
    }
    if (mode == null) {
      throw new IllegalArgumentException("preprocessing mode is required");
    }
    if (mode == Mode.MNIST && (height < MnistDigits.FIELD || width < MnistDigits.FIELD)) {
      throw new IllegalArgumentException("MNIST preprocessing needs an input of at least " + MnistDigits.FIELD + "x"
          + MnistDigits.FIELD + " (the digit's field), got " + height + "x" + width);
    }
  }

  /** The tutorial's: resize, then {@code x / 255}. */
  public static Preprocessing rescale(int height, int width) {
    return new Preprocessing(height, width, Mode.RESCALE);
  }

  /** VGG16 ImageNet weights: resize, then BGR minus the ImageNet mean. */
  public static Preprocessing caffe(int height, int width) {
    return new Preprocessing(height, width, Mode.CAFFE);
  }

  /** Handwritten digits: MNIST's normalisation, padded to {@code size x size}, then {@code x / 255}. */
  public static Preprocessing mnist(int size) {
    return new Preprocessing(size, size, Mode.MNIST);
  }

  /** Channels of the model input. */
  public int channels() {
    return mode.channels;
  }

  /** Floats one image takes: {@code height * width * channels}. */
  public int floatsPerImage() {
    return height * width * mode.channels;
  }

  /**
   * The image at the model's input size (the same image when it already is); for {@link Mode#MNIST} the
   * normalised digit in the middle of a black image of the input size.
   */
  public RgbImage resize(RgbImage image) {
    if (mode == Mode.MNIST) {
      return MnistDigits.centredIn(MnistDigits.normalize(image), width, height);
    }
    return Resize.bilinear(image, width, height);
  }

  /**
   * Encoded image bytes at the model's input size: {@link ImageDecoder#decodeForSize} for this input
   * size (a large JPEG is decoded reduced), then {@link #resize}. Training and serving both load images
   * this way, so a file gives the same pixels in both.
   */
  public RgbImage load(ImageDecoder decoder, byte[] bytes, String source) {
    return resize(decoder.decodeForSize(bytes, source, width, height));
  }

  /** A file at the model's input size, as {@link #load(ImageDecoder, byte[], String)}. */
  public RgbImage load(ImageDecoder decoder, Path file) {
    return resize(decoder.decodeForSize(file, width, height));
  }

  /** Resizes and scales into {@code dst[offset .. offset + floatsPerImage())}. */
  public void apply(RgbImage image, float[] dst, int offset) {
    toFloats(resize(image), dst, offset);
  }

  /** Resizes and scales into a new array. */
  public float[] apply(RgbImage image) {
    float[] out = new float[floatsPerImage()];
    apply(image, out, 0);
    return out;
  }

  /** Scales an image already at the input size into {@code dst} at {@code offset}. */
  public void toFloats(RgbImage sized, float[] dst, int offset) {
    requireInputSize(sized);
    byte[] p = sized.pixels();
    float s = mode.scale;
    if (mode.channels == 1) {
      for (int i = 0, j = 0; j < p.length; i++, j += 3) {
        dst[offset + i] = luma(p[j] & 0xff, p[j + 1] & 0xff, p[j + 2] & 0xff) * s;
      }
    } else if (mode.bgr) {
      float b = mode.mean[0];
      float g = mode.mean[1];
      float r = mode.mean[2];
      for (int i = 0; i < p.length; i += 3) {
        dst[offset + i] = (p[i + 2] & 0xff) * s - b;
        dst[offset + i + 1] = (p[i + 1] & 0xff) * s - g;
        dst[offset + i + 2] = (p[i] & 0xff) * s - r;
      }
    } else {
      for (int i = 0; i < p.length; i++) {
        dst[offset + i] = (p[i] & 0xff) * s;
      }
    }
  }

  /**
   * Scales {@code pixels} RGB pixels with values in 0..255 (possibly fractional, e.g. after augmentation)
   * from {@code rgb[from..]} into {@code channels()} model values per pixel at {@code dst[offset..]}: the
   * same arithmetic as {@link #toFloats}. May run in place ({@code rgb == dst}, {@code from == offset}).
   */
  public void scale(float[] rgb, int from, float[] dst, int offset, int pixels) {
    float s = mode.scale;
    for (int i = 0; i < pixels; i++) {
      int j = from + 3 * i;
      float red = rgb[j];
      float green = rgb[j + 1];
      float blue = rgb[j + 2];
      if (mode.channels == 1) {
        dst[offset + i] = luma(red, green, blue) * s;
      } else if (mode.bgr) {
        int o = offset + 3 * i;
        dst[o] = blue * s - mode.mean[0];
        dst[o + 1] = green * s - mode.mean[1];
        dst[o + 2] = red * s - mode.mean[2];
      } else {
        int o = offset + 3 * i;
        dst[o] = red * s;
        dst[o + 1] = green * s;
        dst[o + 2] = blue * s;
      }
    }
  }

  /**
   * The inverse: model-input floats back to a displayable image (values clamped to 0..255; a one-channel
   * input becomes gray), e.g. to show an input or an activation-maximization result.
   */
  public RgbImage toImage(float[] src, int offset) {
    byte[] out = new byte[height * width * 3];
    float s = mode.scale;
    if (mode.channels == 1) {
      for (int i = 0, o = 0; o < out.length; i++, o += 3) {
        byte v = (byte) clamp(src[offset + i] / s);
        out[o] = v;
        out[o + 1] = v;
        out[o + 2] = v;
      }
      return new RgbImage(width, height, out);
    }
    for (int i = 0; i < out.length; i += 3) {
      float c0 = src[offset + i];
      float c1 = src[offset + i + 1];
      float c2 = src[offset + i + 2];
      if (mode.bgr) {
        out[i] = (byte) clamp((c2 + mode.mean[2]) / s);
        out[i + 1] = (byte) clamp((c1 + mode.mean[1]) / s);
        out[i + 2] = (byte) clamp((c0 + mode.mean[0]) / s);
      } else {
        out[i] = (byte) clamp(c0 / s);
        out[i + 1] = (byte) clamp(c1 / s);
        out[i + 2] = (byte) clamp(c2 / s);
      }
    }
    return new RgbImage(width, height, out);
  }

  /** ITU-R 601 luma, as {@link MnistDigits} takes it; exact for gray (R = G = B) whole values. */
  private static float luma(float r, float g, float b) {
    return (299 * r + 587 * g + 114 * b) / 1000f;
  }

  private void requireInputSize(RgbImage image) {
    if (image.width() != width || image.height() != height) {
      throw new IllegalArgumentException("expected a " + width + "x" + height + " image (width x height), got "
          + image.width() + "x" + image.height() + "; resize it first");
    }
  }

  private static int clamp(float v) {
    int i = Math.round(v);
    return i < 0 ? 0 : Math.min(i, 255);
  }
}
