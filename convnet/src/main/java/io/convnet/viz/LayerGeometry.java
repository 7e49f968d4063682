package io.convnet.viz;

import java.util.Locale;

/**
 * Where a convolution or pooling unit reads the layer below: its window ({@code kernelHeight x
 * kernelWidth}), the stride, and the padding as TensorFlow lays it out ({@code valid}: none;
 * {@code same}: output side {@code ceil(n / s)}, the {@code max((out - 1) * s + k - n, 0)} padded rows
 * split with the smaller half before). Output unit {@code (y, x)} reads rows {@code top(y) ..
 * top(y) + kernelHeight - 1} and columns {@code left(x) .. left(x) + kernelWidth - 1} of the layer below;
 * rows and columns outside it are padding (zeros for a convolution; ignored by max pooling).
 */
public record LayerGeometry(int kernelHeight, int kernelWidth, int strideY, int strideX, String padding,
    int padTop, int padLeft, int padBottom, int padRight) {

  /**
   * @param in      the layer below's shape ({@code [h, w, c]})
   * @param padding TensorFlow's name, {@code VALID} or {@code SAME}
   */
  static LayerGeometry of(int[] in, int kh, int kw, int sy, int sx, String padding) {
    String p = padding.toLowerCase(Locale.ROOT);
    if (!p.equals("valid") && !p.equals("same")) {
      throw new IllegalArgumentException("unknown padding '" + padding + "'");
    }
    int[] rows = pads(p, in[0], kh, sy);
    int[] cols = pads(p, in[1], kw, sx);
    return new LayerGeometry(kh, kw, sy, sx, p, rows[0], cols[0], rows[1], cols[1]);
  }

  private static int[] pads(String padding, int n, int k, int s) {
    if (padding.equals("valid")) {
      return new int[] {0, 0};
    }
    int out = (n + s - 1) / s;
    int total = Math.max((out - 1) * s + k - n, 0);
    return new int[] {total / 2, total - total / 2};
  }

  /** First row of the layer below that output row {@code y} reads (negative inside the top padding). */
  public int top(int y) {
    return y * strideY - padTop;
  }

  /** First column of the layer below that output column {@code x} reads. */
  public int left(int x) {
    return x * strideX - padLeft;
  }
}
