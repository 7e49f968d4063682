package io.convnet.image;

/**
 * Any picture of one handwritten digit -> a 28x28 digit as MNIST's are made (LeCun et al. 1998): one
 * channel, light ink on black, the digit scaled to fit a 20x20 box with its aspect ratio kept, and placed
 * so that its centre of mass lies at the centre of the 28x28 field. A drawing, a scan or a colour photo
 * (dark ink on light paper or light on dark) gives the same kind of input the network was trained on.
 *
 * <ol>
 *   <li>Gray: luma {@code (299 R + 587 G + 114 B) / 1000} (a gray image keeps its values).
 *   <li>Polarity: the background is the median of the outer frame (about 2% of the side, at least one
 *       pixel). When the darkest pixel lies further below it than the brightest lies above, the ink is
 *       dark on light and the image is inverted.
 *   <li>Background removal: values at or below {@code background + 3 sigma} of the frame's noise (sigma
 *       from its median absolute deviation) become 0. A clean background (MNIST's, a drawing pad's) has
 *       no noise and loses nothing.
 *   <li>The ink's bounding box, scaled so that its longer side is {@value #BOX} pixels ({@link Resize#bilinear},
 *       which averages when shrinking, like MNIST's anti-aliasing). On a noisy background only clear ink (a
 *       quarter of the brightest value) with an inked neighbour counts for the box, so specks do not widen it.
 *   <li>Contrast: the brightest pixel becomes 255 (MNIST strokes are saturated; a faint pencil line
 *       would otherwise look unlike them).
 *   <li>Centre of mass (intensity-weighted) moved to pixel (14, 14) by a whole-pixel shift, as MNIST's
 *       digits have it (their centres of mass lie within half a pixel of it).
 * </ol>
 *
 * <p>On an MNIST digit whose brightest pixel is 255 every step is the identity (8,131 of the 9,000 digits of
 * {@code ../shared/datasets/mnist} rebuilt with 255 for full ink, see {@code scripts/fetch-mnist.sh}; the others
 * are brightened by a level or two). An image without ink (uniform, or all background) gives an all-black
 * field. Stateless and thread-safe.
 */
public final class MnistDigits {
  /** Side of MNIST's field. */
  public static final int FIELD = 28;
  /** Side of the box the digit is scaled to fit. */
  public static final int BOX = 20;
  /** Where the centre of mass goes, in pixel indices (row and column). */
  static final double CENTRE = FIELD / 2.0;

  private MnistDigits() {}

  /** The digit in {@code image} as a {@value #FIELD}x{@value #FIELD} MNIST digit (gray: R = G = B). */
  public static RgbImage normalize(RgbImage image) {
    int w = image.width();
    int h = image.height();
    byte[] gray = luma(image);
    int[] frame = frameHistogram(gray, w, h);
    int background = median(frame);
    int min = 255;
    int max = 0;
    for (byte b : gray) {
      min = Math.min(min, b & 0xff);
      max = Math.max(max, b & 0xff);
    }
    if (background - min > max - background) {
      for (int i = 0; i < gray.length; i++) {
        gray[i] = (byte) (255 - (gray[i] & 0xff));
      }
      frame = mirrored(frame);
      background = 255 - background;
    }
    int noise = medianAbsoluteDeviation(frame, background);
    int floor = (int) Math.floor(background + 3 * 1.4826 * noise);
    for (int i = 0; i < gray.length; i++) {
      gray[i] = (byte) Math.max(0, (gray[i] & 0xff) - floor);
    }
    int peak = 0;
    for (byte b : gray) {
      peak = Math.max(peak, b & 0xff);
    }
    // on a noisy background, faint specks must not stretch the box: only clear ink (a quarter of the peak) counts
    int[] box = inkBox(gray, w, h, noise > 0 ? Math.max(1, peak / 4) : 1, noise > 0);
    if (box == null) {
      return RgbImage.blank(FIELD, FIELD);
    }
    RgbImage digit = fitBox(crop(gray, w, box));
    stretch(digit);
    return centreOfMassInField(digit);
  }

  /** {@code digit} (e.g. a 28x28 MNIST digit) in the middle of a black {@code width x height} image. */
  public static RgbImage centredIn(RgbImage digit, int width, int height) {
    if (width < digit.width() || height < digit.height()) {
      throw new IllegalArgumentException("a " + digit.width() + "x" + digit.height() + " digit does not fit in "
          + width + "x" + height);
    }
    return paste(digit, width, height, (height - digit.height()) / 2, (width - digit.width()) / 2);
  }

  /** ITU-R 601 luma in 0..255, exact for gray (R = G = B). */
  static byte[] luma(RgbImage image) {
    byte[] p = image.pixels();
    byte[] out = new byte[p.length / 3];
    for (int i = 0, j = 0; i < out.length; i++, j += 3) {
      out[i] = (byte) ((299 * (p[j] & 0xff) + 587 * (p[j + 1] & 0xff) + 114 * (p[j + 2] & 0xff) + 500) / 1000);
    }
    return out;
  }

  /** Histogram of the outer frame: about 2% of the shorter side, at least one pixel. */
  private static int[] frameHistogram(byte[] gray, int w, int h) {
    int f = Math.max(1, Math.min(w, h) / 50);
    int[] hist = new int[256];
    for (int y = 0; y < h; y++) {
      boolean edgeRow = y < f || y >= h - f;
      for (int x = 0; x < w; x++) {
        if (edgeRow || x < f || x >= w - f) {
          hist[gray[y * w + x] & 0xff]++;
        }
      }
    }
    return hist;
  }

  private static int median(int[] hist) {
    long n = 0;
    for (int c : hist) {
      n += c;
    }
    long seen = 0;
    for (int v = 0; v < hist.length; v++) {
      seen += hist[v];
      if (2 * seen >= n) {
        return v;
      }
    }
    return hist.length - 1;
  }

  private static int[] mirrored(int[] hist) {
    int[] out = new int[hist.length];
    for (int v = 0; v < hist.length; v++) {
      out[hist.length - 1 - v] = hist[v];
    }
    return out;
  }

  private static int medianAbsoluteDeviation(int[] hist, int centre) {
    int[] deviations = new int[256];
    for (int v = 0; v < hist.length; v++) {
      deviations[Math.abs(v - centre)] += hist[v];
    }
    return median(deviations);
  }

  /**
   * {@code {top, left, bottom, right}} (inclusive) of the pixels of at least {@code ink}; null when there are
   * none. With {@code despeckle}, a pixel counts only when one of its 8 neighbours has ink too.
   */
  private static int[] inkBox(byte[] gray, int w, int h, int ink, boolean despeckle) {
    int top = h;
    int left = w;
    int bottom = -1;
    int right = -1;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        if ((gray[y * w + x] & 0xff) >= ink && (!despeckle || hasInkedNeighbour(gray, w, h, x, y, ink))) {
          top = Math.min(top, y);
          bottom = Math.max(bottom, y);
          left = Math.min(left, x);
          right = Math.max(right, x);
        }
      }
    }
    return bottom < 0 ? null : new int[] {top, left, bottom, right};
  }

  private static boolean hasInkedNeighbour(byte[] gray, int w, int h, int x, int y, int ink) {
    for (int dy = -1; dy <= 1; dy++) {
      for (int dx = -1; dx <= 1; dx++) {
        int nx = x + dx;
        int ny = y + dy;
        if ((dx != 0 || dy != 0) && nx >= 0 && ny >= 0 && nx < w && ny < h && (gray[ny * w + nx] & 0xff) >= ink) {
          return true;
        }
      }
    }
    return false;
  }

  private static RgbImage crop(byte[] gray, int w, int[] box) {
    int cw = box[3] - box[1] + 1;
    int ch = box[2] - box[0] + 1;
    byte[] out = new byte[cw * ch * 3];
    for (int y = 0, o = 0; y < ch; y++) {
      for (int x = 0; x < cw; x++, o += 3) {
        byte v = gray[(box[0] + y) * w + box[1] + x];
        out[o] = v;
        out[o + 1] = v;
        out[o + 2] = v;
      }
    }
    return new RgbImage(cw, ch, out);
  }

  /** Scaled so that the longer side is {@link #BOX}, the aspect ratio kept (at least one pixel). */
  private static RgbImage fitBox(RgbImage crop) {
    double s = (double) BOX / Math.max(crop.width(), crop.height());
    int w = Math.max(1, (int) Math.round(crop.width() * s));
    int h = Math.max(1, (int) Math.round(crop.height() * s));
    return Resize.bilinear(crop, w, h);
  }

  /** In place: the brightest value becomes 255. */
  private static void stretch(RgbImage gray) {
    byte[] p = gray.pixels();
    int peak = 0;
    for (byte b : p) {
      peak = Math.max(peak, b & 0xff);
    }
    if (peak == 0 || peak == 255) {
      return;
    }
    for (int i = 0; i < p.length; i++) {
      p[i] = (byte) Math.round((p[i] & 0xff) * 255.0 / peak);
    }
  }

  /** The digit placed in the field so that its centre of mass rounds to (14, 14); what falls outside is cut. */
  private static RgbImage centreOfMassInField(RgbImage digit) {
    double mass = 0;
    double rows = 0;
    double cols = 0;
    for (int y = 0; y < digit.height(); y++) {
      for (int x = 0; x < digit.width(); x++) {
        int v = digit.get(x, y, 0);
        mass += v;
        rows += (double) v * y;
        cols += (double) v * x;
      }
    }
    int top = (int) Math.round(CENTRE - rows / mass);
    int left = (int) Math.round(CENTRE - cols / mass);
    return paste(digit, FIELD, FIELD, top, left);
  }

  /** {@code src} on a black {@code width x height} image with its top-left corner at (top, left), clipped. */
  private static RgbImage paste(RgbImage src, int width, int height, int top, int left) {
    RgbImage out = RgbImage.blank(width, height);
    byte[] s = src.pixels();
    byte[] d = out.pixels();
    for (int y = Math.max(0, -top); y < src.height() && top + y < height; y++) {
      int x0 = Math.max(0, -left);
      int x1 = Math.min(src.width(), width - left);
      if (x1 > x0) {
        System.arraycopy(s, (y * src.width() + x0) * 3, d, ((top + y) * width + left + x0) * 3, (x1 - x0) * 3);
      }
    }
    return out;
  }
}
