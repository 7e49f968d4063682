package io.convnet.transfer;

import io.convnet.data.Batch;
import io.convnet.data.BatchSource;
import io.convnet.data.SeededRandom;
import io.convnet.nn.Model;
import io.convnet.nn.Tensors;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Result;
import org.tensorflow.types.TFloat32;

/**
 * The output of a frozen convolutional base for every image of a set, computed once ({@link #extract}) and then
 * served as batches of feature maps ({@code Batch.pixels} holding {@code h x w x c} features per image) for
 * training the head alone: Chollet's "fast feature extraction without data augmentation". Shuffled per epoch
 * from the seed when asked; the same seed and epoch give the same batches.
 */
public final class BottleneckFeatures implements BatchSource {
  private static final Logger LOG = LoggerFactory.getLogger(BottleneckFeatures.class);
  private static final long SHUFFLE_KEY = 0x424f54544cL;

  private final List<String> classNames;
  private final int[] shape;
  private final float[][] features;
  private final int[] labels;
  private final int batchSize;
  private final boolean shuffle;
  private final long seed;

  private BottleneckFeatures(List<String> classNames, int[] shape, float[][] features, int[] labels, int batchSize,
      boolean shuffle, long seed) {
    this.classNames = classNames;
    this.shape = shape;
    this.features = features;
    this.labels = labels;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.seed = seed;
  }

  /**
   * Runs {@code images} (one pass, in order, no augmentation expected) through {@code model} up to {@code layer}
   * (dropout off). Returns null if {@code cancelled} turned true between batches.
   */
  public static BottleneckFeatures extract(Model model, String layer, BatchSource images, boolean shuffle, long seed,
      BooleanSupplier cancelled) {
    int[] shape = model.spec().layerInfos().stream().filter(l -> l.name().equals(layer)).findFirst().orElseThrow()
        .outputShape();
    int per = Math.toIntExact(io.convnet.nn.Shapes.size(shape));
    int n = images.imageCount();
    float[][] features = new float[n][];
    int[] labels = new int[n];
    int[] in = model.spec().inputShape();
    int done = 0;
    long start = System.nanoTime();
    for (Iterator<Batch> it = images.epoch(0); it.hasNext(); ) {
      if (cancelled.getAsBoolean()) {
        return null;
      }
      Batch b = it.next();
      try (TFloat32 x = Tensors.images(b.pixels(), b.size(), in[0], in[1], in[2]);
          Result r = model.session().runner().feed(model.input(), x).fetch(model.layerOutput(layer)).run()) {
        float[] flat = Tensors.flat((TFloat32) r.get(0));
        for (int i = 0; i < b.size(); i++) {
          features[done + i] = java.util.Arrays.copyOfRange(flat, i * per, (i + 1) * per);
          labels[done + i] = b.labels()[i];
        }
      }
      done += b.size();
      if (LOG.isInfoEnabled() && (done == n || done % (b.size() * 10) == 0)) {
        LOG.info("bottleneck features of {}: {}/{} images ({} s)", layer, done, n,
            Math.round((System.nanoTime() - start) / 1e9));
      }
    }
    if (done != n) {
      throw new IllegalStateException("the image set gave " + done + " images, announced " + n);
    }
    return new BottleneckFeatures(List.copyOf(images.classNames()), shape, features, labels, images.batchSize(),
        shuffle, seed);
  }

  /** The shape of one image's features (no batch dimension), e.g. 4x4x512 for VGG16 at 150x150. */
  public int[] shape() {
    return shape.clone();
  }

  /** The same features, unshuffled (for validation) or shuffled. */
  public BottleneckFeatures shuffled(boolean value) {
    return new BottleneckFeatures(classNames, shape, features, labels, batchSize, value, seed);
  }

  @Override
  public List<String> classNames() {
    return classNames;
  }

  @Override
  public int imageCount() {
    return features.length;
  }

  @Override
  public int batchSize() {
    return batchSize;
  }

  @Override
  public Iterator<Batch> epoch(int epoch) {
    int[] order = new int[features.length];
    java.util.Arrays.setAll(order, i -> i);
    if (shuffle) {
      SeededRandom.of(seed, epoch, SHUFFLE_KEY).shuffle(order);
    }
    int per = features.length == 0 ? 0 : features[0].length;
    List<Batch> batches = new ArrayList<>();
    for (int start = 0; start < order.length; start += batchSize) {
      int n = Math.min(batchSize, order.length - start);
      float[] x = new float[n * per];
      int[] y = new int[n];
      for (int i = 0; i < n; i++) {
        System.arraycopy(features[order[start + i]], 0, x, i * per, per);
        y[i] = labels[order[start + i]];
      }
      batches.add(new Batch(x, y, n, shape[0], shape[1]));
    }
    return batches.iterator();
  }

  @Override
  public void close() {}
}
