package io.convnet.viz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convnet.viz.ConvolutionExplainer.Explanation;
import io.convnet.viz.ConvolutionExplainer.Padding;
import io.convnet.viz.ConvolutionExplainer.Pads;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat64;

/** Hand-computed matrices, and TensorFlow's own conv2d / max_pool as a second opinion on the layout rules. */
class ConvolutionExplainerTest {
  static final double[][] INPUT = {
      {3, 0, 1, 2, 7},
      {1, 5, 8, 9, 3},
      {2, 7, 2, 5, 1},
      {0, 1, 3, 1, 7},
      {4, 2, 1, 6, 2}};

  static final Kernel SOBEL_X = Kernel.named("sobel-x");
  static final Kernel LAPLACE = Kernel.named("edge2");

  @Test
  void validStrideOneIsTheSumOfProductsOfEachFullWindow() {
    // window (0,0) = [[3,0,1],[1,5,8],[2,7,2]]: 3 - 1 + 2*1 - 2*8 + 2 - 2 = -12
    Explanation e = ConvolutionExplainer.explain(INPUT, SOBEL_X, 1, Padding.VALID);
    assertThat(e.featureMap()).isDeepEqualTo(new double[][] {{-12, -8, 5}, {-10, 0, 3}, {-3, -2, -8}});
    assertThat(e.rectified()).isDeepEqualTo(new double[][] {{0, 0, 5}, {0, 0, 3}, {0, 0, 0}});
    // 3x3 pooled in ceil mode: the windows over the border keep what they cover
    assertThat(e.pooled()).isDeepEqualTo(new double[][] {{0, 5}, {0, 0}});
    assertThat(e.pads()).isEqualTo(new Pads(0, 0, 0, 0));

    // 4 * 5 at the centre minus its neighbours 0, 1, 8, 7
    assertThat(ConvolutionExplainer.explain(INPUT, LAPLACE, 1, Padding.VALID).featureMap())
        .isDeepEqualTo(new double[][] {{-4, -15, -18}, {-18, 15, -7}, {8, -7, 17}});
  }

  @Test
  void validStrideTwoSkipsEveryOtherWindow() {
    assertThat(ConvolutionExplainer.explain(INPUT, SOBEL_X, 2, Padding.VALID).featureMap())
        .isDeepEqualTo(new double[][] {{-12, 5}, {-3, -8}});
    assertThat(ConvolutionExplainer.explain(INPUT, LAPLACE, 2, Padding.VALID).featureMap())
        .isDeepEqualTo(new double[][] {{-4, -18}, {8, 17}});
  }

  @Test
  void samePadsWithZerosAndKeepsTheSize() {
    Explanation e = ConvolutionExplainer.explain(INPUT, SOBEL_X, 1, Padding.SAME);
    assertThat(e.pads()).isEqualTo(new Pads(1, 1, 1, 1));
    assertThat(e.featureMap()).isDeepEqualTo(new double[][] {
        {-5, -3, -8, -7, 13},
        {-17, -12, -8, 5, 25},
        {-20, -10, 0, 3, 20},
        {-11, -3, -2, -8, 13},
        {-5, 3, -8, -6, 13}});
    assertThat(e.rectified()).isDeepEqualTo(new double[][] {
        {0, 0, 0, 0, 13},
        {0, 0, 0, 5, 25},
        {0, 0, 0, 3, 20},
        {0, 0, 0, 0, 13},
        {0, 3, 0, 0, 13}});
    // 5x5 -> 3x3: the last row and column of windows cover one row/column only
    assertThat(e.pooled()).isDeepEqualTo(new double[][] {{0, 5, 25}, {0, 3, 20}, {3, 0, 13}});

    Explanation laplace = ConvolutionExplainer.explain(INPUT, LAPLACE, 1, Padding.SAME);
    assertThat(laplace.featureMap()[0]).containsExactly(-11, 9, 6, 9, -23);
    assertThat(laplace.pooled()).isDeepEqualTo(new double[][] {{9, 9, 5}, {8, 17, 11}, {0, 7, 5}});
  }

  @Test
  void sameWithStrideTwoFollowsTensorFlowsPaddingRule() {
    // out = ceil(5 / 2) = 3, padding (3 - 1) * 2 + 3 - 5 = 2: one on each side
    Explanation e = ConvolutionExplainer.explain(INPUT, SOBEL_X, 2, Padding.SAME);
    assertThat(e.pads()).isEqualTo(new Pads(1, 1, 1, 1));
    assertThat(e.featureMap()).isDeepEqualTo(new double[][] {{-5, -8, 13}, {-20, 0, 20}, {-5, -8, 13}});
    // 6 wide, stride 2, kernel 3: out 3, padding (3 - 1) * 2 + 3 - 6 = 1, all of it after (right);
    // 3 high: out 2, padding (2 - 1) * 2 + 3 - 3 = 2, one on each side
    double[][] six = {{1, 2, 3, 4, 5, 6}, {1, 2, 3, 4, 5, 6}, {1, 2, 3, 4, 5, 6}};
    Explanation wide = ConvolutionExplainer.explain(six, Kernel.named("identity"), 2, Padding.SAME);
    assertThat(wide.pads()).isEqualTo(new Pads(1, 1, 0, 1));
    assertThat(wide.featureMap()).isDeepEqualTo(new double[][] {{2, 4, 6}, {2, 4, 6}});
  }

  @Test
  void blurKernelsDivideOnceAndRoundOnce() {
    Explanation box = ConvolutionExplainer.explain(INPUT, Kernel.named("box-blur"), 1, Padding.VALID);
    assertThat(box.featureMap()).isDeepEqualTo(new double[][] {
        {29 / 9.0, 39 / 9.0, 38 / 9.0}, {29 / 9.0, 41 / 9.0, 39 / 9.0}, {22 / 9.0, 28 / 9.0, 28 / 9.0}});
    // 0.1 + 0.2 != 0.3 in doubles; the exact sum of the doubles 0.1 and 0.2, rounded once, is 0.30000000000000004
    // only because 0.1 and 0.2 are not exactly 1/10 and 2/10; with a custom kernel of 1s it is their exact sum
    double[][] tenths = {{0.1, 0.2, 0.3}};
    Explanation sum = ConvolutionExplainer.explain(tenths, Kernel.custom(new double[][] {{1, 1, 1}}), 1,
        Padding.VALID);
    assertThat(sum.featureMap()[0][0]).isEqualTo(0.6);  // naive left-to-right double sum gives 0.6000000000000001
    assertThat(0.1 + 0.2 + 0.3).isNotEqualTo(0.6);
    Explanation gauss = ConvolutionExplainer.explain(INPUT, Kernel.named("gaussian-blur"), 1, Padding.VALID);
    // (3 + 2*0 + 1 + 2*1 + 4*5 + 2*8 + 2 + 2*7 + 2) / 16 = 60 / 16
    assertThat(gauss.featureMap()[0][0]).isEqualTo(3.75);
  }

  @Test
  void poolingAnOddMapUsesCeilWindows() {
    double[][] m = {{-1, -2, -3}, {-4, -5, -6}, {-7, -8, -9}};
    // negative values: a window over the border must not see a padded 0
    assertThat(ConvolutionExplainer.maxPool(m, 2, 2)).isDeepEqualTo(new double[][] {{-1, -3}, {-7, -9}});
    assertThat(ConvolutionExplainer.maxPool(new double[][] {{7}}, 2, 2)).isDeepEqualTo(new double[][] {{7}});
  }

  @Test
  void agreesWithTensorFlowOnRandomIntegerMatrices() {
    Random r = new Random(7);
    for (int trial = 0; trial < 12; trial++) {
      int rows = 3 + r.nextInt(6);
      int cols = 3 + r.nextInt(6);
      int kr = 1 + r.nextInt(Math.min(rows, 4));
      int kc = 1 + r.nextInt(Math.min(cols, 4));
      double[][] in = randomInts(r, rows, cols);
      double[][] k = randomInts(r, kr, kc);
      for (int stride = 1; stride <= 3; stride++) {
        for (Padding p : Padding.values()) {
          Explanation e = ConvolutionExplainer.explain(in, Kernel.custom(k), stride, p);
          assertThat(e.featureMap()).as("trial %d stride %d %s", trial, stride, p)
              .isDeepEqualTo(tfConv(in, k, stride, p));
        }
      }
      double[][] relu = ConvolutionExplainer.relu(in);
      assertThat(ConvolutionExplainer.maxPool(in, 2, 2)).isDeepEqualTo(tfMaxPool(in));
      assertThat(ConvolutionExplainer.maxPool(relu, 2, 2)).isDeepEqualTo(tfMaxPool(relu));
    }
  }

  @Test
  void anImageIsExplainedThroughItsExactLuma() {
    io.convnet.image.RgbImage img = io.convnet.image.RgbImage.blank(2, 2);
    img.set(0, 0, 0xff0000);
    img.set(1, 0, 0x00ff00);
    img.set(0, 1, 0x0000ff);
    img.set(1, 1, 0x0a141e);  // (10, 20, 30)
    var e = ConvolutionExplainer.explainImage(img, Kernel.custom(new double[][] {{1}}), 1, Padding.VALID);
    // 0.299 * 255, 0.587 * 255, 0.114 * 255, 2.99 + 11.74 + 3.42
    assertThat(e.luma()).isDeepEqualTo(new double[][] {{76.245, 149.685}, {29.07, 18.15}});
    assertThat(e.explanation().featureMap()).isDeepEqualTo(e.luma());
    assertThat(e.explanation().pooled()).isDeepEqualTo(new double[][] {{149.685}});
    var big = ConvolutionExplainer.explainImage(io.convnet.image.RgbImage.blank(600, 300), Kernel.named("edge3"), 1,
        Padding.SAME);
    assertThat(big.luma().length).isEqualTo(128);
    assertThat(big.luma()[0].length).isEqualTo(256);
    assertThat(ConvolutionExplainer.render("t", big.luma(), big.explanation()).getWidth()).isGreaterThan(4 * 128);
  }

  @Test
  void badInputIsRefusedWithAClearMessage() {
    assertThatThrownBy(() -> ConvolutionExplainer.explain(new double[][] {{1, 2}, {3}}, SOBEL_X, 1, Padding.VALID))
        .hasMessageContaining("not a matrix: row 1 has 1 values, row 0 has 2");
    assertThatThrownBy(() -> ConvolutionExplainer.explain(new double[][] {{1, 2}, {3, 4}}, SOBEL_X, 1, Padding.SAME))
        .hasMessageContaining("kernel (3x3) is larger than the input (2x2)");
    assertThatThrownBy(() -> ConvolutionExplainer.explain(INPUT, SOBEL_X, 0, Padding.VALID))
        .hasMessageContaining("stride must be 1..16");
    assertThatThrownBy(() -> ConvolutionExplainer.explain(new double[0][], SOBEL_X, 1, Padding.VALID))
        .hasMessageContaining("input is empty");
    assertThatThrownBy(() -> Kernel.named("blurry")).hasMessageContaining("unknown kernel 'blurry'; known: identity");
    assertThatThrownBy(() -> Kernel.custom(new double[][] {{1, Double.NaN}}))
        .hasMessageContaining("non-finite value at [0][1]");
    assertThatThrownBy(() -> Kernel.custom(new double[16][16])).hasMessageContaining("at most 15x15");
    assertThatThrownBy(() -> Padding.parse("full")).hasMessageContaining("'valid' or 'same'");
  }

  private static double[][] randomInts(Random r, int rows, int cols) {
    double[][] m = new double[rows][cols];
    for (double[] row : m) {
      for (int c = 0; c < cols; c++) {
        row[c] = r.nextInt(21) - 10;
      }
    }
    return m;
  }

  private static TFloat64 nhwc(double[][] m) {
    double[] flat = new double[m.length * m[0].length];
    for (int r = 0; r < m.length; r++) {
      System.arraycopy(m[r], 0, flat, r * m[0].length, m[0].length);
    }
    return TFloat64.tensorOf(Shape.of(1, m.length, m[0].length, 1), DataBuffers.of(flat, true, false));
  }

  private static double[][] tfConv(double[][] in, double[][] k, int stride, Padding p) {
    try (Graph g = new Graph(); Session s = new Session(g); TFloat64 x = nhwc(in); TFloat64 w = nhwc(k)) {
      Ops tf = Ops.create(g);
      Operand<TFloat64> xin = tf.placeholder(TFloat64.class);
      Operand<TFloat64> kin = tf.placeholder(TFloat64.class);
      Operand<TFloat64> kernel = tf.reshape(kin, tf.constant(new long[] {k.length, k[0].length, 1, 1}));
      var conv = tf.nn.conv2d(xin, kernel, java.util.List.of(1L, (long) stride, (long) stride, 1L), p.name());
      try (Result res = s.runner().feed(xin, x).feed(kin, w).fetch(conv).run()) {
        return grid((TFloat64) res.get(0));
      }
    }
  }

  private static double[][] tfMaxPool(double[][] in) {
    try (Graph g = new Graph(); Session s = new Session(g); TFloat64 x = nhwc(in)) {
      Ops tf = Ops.create(g);
      Operand<TFloat64> xin = tf.placeholder(TFloat64.class);
      var pool = tf.nn.maxPool(xin, tf.constant(new int[] {1, 2, 2, 1}), tf.constant(new int[] {1, 2, 2, 1}), "SAME");
      try (Result res = s.runner().feed(xin, x).fetch(pool).run()) {
        return grid((TFloat64) res.get(0));
      }
    }
  }

  private static double[][] grid(TFloat64 t) {
    int rows = (int) t.shape().get(1);
    int cols = (int) t.shape().get(2);
    double[][] out = new double[rows][cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        out[r][c] = t.getDouble(0, r, c, 0);
      }
    }
    return out;
  }
}
