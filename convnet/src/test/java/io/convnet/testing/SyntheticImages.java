package io.convnet.testing;

import io.convnet.data.Batch;
import io.convnet.data.BatchSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

/**
 * A learnable in-memory image set for tests: class k has a bright vertical stripe at a position of its
 * own, on noise. Batches are shuffled per epoch from the seed, so the same seed and epoch give the same
 * batches. {@code randomLabels} makes it unlearnable (for early-stopping tests).
 */
public final class SyntheticImages implements BatchSource {
  private final List<String> classes;
  private final int size;
  private final int batchSize;
  private final long seed;
  private final float[][] images;
  private final int[] labels;

  public SyntheticImages(int classes, int perClass, int size, int batchSize, long seed, boolean randomLabels) {
    this.classes = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      this.classes.add("class" + c);
    }
    this.size = size;
    this.batchSize = batchSize;
    this.seed = seed;
    int n = classes * perClass;
    images = new float[n][];
    labels = new int[n];
    Random r = new Random(seed);
    for (int i = 0; i < n; i++) {
      int label = i % classes;
      float[] img = new float[size * size * 3];
      int stripe = (label * size) / classes + size / (2 * classes);
      for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
          for (int ch = 0; ch < 3; ch++) {
            float v = 0.3f * r.nextFloat();
            if (Math.abs(x - stripe) <= 1) {
              v += 0.7f;
            }
            img[(y * size + x) * 3 + ch] = v;
          }
        }
      }
      images[i] = img;
      labels[i] = randomLabels ? r.nextInt(classes) : label;
    }
  }

  public static SyntheticImages binary(int perClass, int size, int batchSize, long seed) {
    return new SyntheticImages(2, perClass, size, batchSize, seed, false);
  }

  @Override
  public List<String> classNames() {
    return classes;
  }

  @Override
  public int imageCount() {
    return images.length;
  }

  @Override
  public int batchSize() {
    return batchSize;
  }

  @Override
  public Iterator<Batch> epoch(int epoch) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < images.length; i++) {
      order.add(i);
    }
    Collections.shuffle(order, new Random(seed * 31 + epoch));
    List<Batch> batches = new ArrayList<>();
    for (int start = 0; start < order.size(); start += batchSize) {
      int n = Math.min(batchSize, order.size() - start);
      float[] px = new float[n * size * size * 3];
      int[] lb = new int[n];
      for (int j = 0; j < n; j++) {
        int idx = order.get(start + j);
        System.arraycopy(images[idx], 0, px, j * size * size * 3, size * size * 3);
        lb[j] = labels[idx];
      }
      batches.add(new Batch(px, lb, n, size, size));
    }
    return batches.iterator();
  }

  /** All images as one NHWC array (for prediction tests). */
  public float[] allPixels(int n) {
    float[] px = new float[n * size * size * 3];
    for (int i = 0; i < n; i++) {
      System.arraycopy(images[i], 0, px, i * size * size * 3, size * size * 3);
    }
    return px;
  }

  @Override
  public void close() {}
}
