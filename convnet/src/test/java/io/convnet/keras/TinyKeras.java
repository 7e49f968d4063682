package io.convnet.keras;

import static io.convnet.nn.Activation.RELU;
import static io.convnet.nn.Activation.SOFTMAX;
import static io.convnet.nn.Padding.SAME;

import io.convnet.nn.Conv2D;
import io.convnet.nn.Dense;
import io.convnet.nn.Flatten;
import io.convnet.nn.MaxPooling2D;
import io.convnet.nn.Sequential;
import java.util.Map;

/**
 * The model of the h5py-written fixtures ({@code src/test/resources/keras/make_fixtures.py}), their weight formula,
 * and a plain-Java forward pass (no TensorFlow) to check predictions against.
 */
final class TinyKeras {
  static final int SIZE = 8;

  private TinyKeras() {}

  static Sequential model() {
    return Sequential.input(SIZE, SIZE, 3).name("tiny")
        .add(Conv2D.of(4, 3).activation(RELU).padding(SAME).name("conv_1"))
        .add(MaxPooling2D.of(2).name("maxpool_1"))
        .add(Conv2D.of(4, 3).activation(RELU).padding(SAME).name("conv_2"))
        .add(MaxPooling2D.of(2).name("maxpool_2"))
        .add(Flatten.of().name("flatten"))
        .add(Dense.of(3).activation(SOFTMAX).name("output"));
  }

  /** The fixture's value of element {@code i}: 0.25 sin(0.37 i + k); k = layer index (+100 for biases). */
  static float[] formula(int n, int k) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (0.25 * Math.sin(0.37 * i + k));
    }
    return v;
  }

  /** The fixture's weights by variable name (layer indices as in layer_names, input_1 being 0). */
  static Map<String, float[]> fixtureWeights() {
    return Map.of("conv_1_kernel", formula(3 * 3 * 3 * 4, 1), "conv_1_bias", formula(4, 101),
        "conv_2_kernel", formula(3 * 3 * 4 * 4, 3), "conv_2_bias", formula(4, 103),
        "output_kernel", formula(16 * 3, 6), "output_bias", formula(3, 106));
  }

  /** Class probabilities of one NHWC image, computed in plain Java from Keras-layout weights. */
  static float[] reference(float[] image, Map<String, float[]> w) {
    float[] x = pool(conv(image, SIZE, 3, w.get("conv_1_kernel"), w.get("conv_1_bias"), 4), SIZE, 4);
    x = pool(conv(x, SIZE / 2, 4, w.get("conv_2_kernel"), w.get("conv_2_bias"), 4), SIZE / 2, 4);
    float[] k = w.get("output_kernel");
    float[] b = w.get("output_bias");
    double[] logits = new double[3];
    for (int o = 0; o < 3; o++) {
      double s = b[o];
      for (int i = 0; i < x.length; i++) { // flatten: row-major h, w, c
        s += x[i] * k[i * 3 + o];
      }
      logits[o] = s;
    }
    double max = Math.max(logits[0], Math.max(logits[1], logits[2]));
    double sum = 0;
    float[] p = new float[3];
    for (int o = 0; o < 3; o++) {
      sum += Math.exp(logits[o] - max);
    }
    for (int o = 0; o < 3; o++) {
      p[o] = (float) (Math.exp(logits[o] - max) / sum);
    }
    return p;
  }

  /** 3x3 "same" convolution + bias + ReLU; kernel HWIO. */
  private static float[] conv(float[] in, int size, int cin, float[] kernel, float[] bias, int cout) {
    float[] out = new float[size * size * cout];
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        for (int o = 0; o < cout; o++) {
          double s = bias[o];
          for (int ky = 0; ky < 3; ky++) {
            for (int kx = 0; kx < 3; kx++) {
              int iy = y + ky - 1;
              int ix = x + kx - 1;
              if (iy < 0 || ix < 0 || iy >= size || ix >= size) {
                continue;
              }
              for (int c = 0; c < cin; c++) {
                s += in[(iy * size + ix) * cin + c] * kernel[((ky * 3 + kx) * cin + c) * cout + o];
              }
            }
          }
          out[(y * size + x) * cout + o] = (float) Math.max(0, s);
        }
      }
    }
    return out;
  }

  private static float[] pool(float[] in, int size, int c) {
    int half = size / 2;
    float[] out = new float[half * half * c];
    for (int y = 0; y < half; y++) {
      for (int x = 0; x < half; x++) {
        for (int ch = 0; ch < c; ch++) {
          float m = Float.NEGATIVE_INFINITY;
          for (int dy = 0; dy < 2; dy++) {
            for (int dx = 0; dx < 2; dx++) {
              m = Math.max(m, in[((2 * y + dy) * size + 2 * x + dx) * c + ch]);
            }
          }
          out[(y * half + x) * c + ch] = m;
        }
      }
    }
    return out;
  }
}
