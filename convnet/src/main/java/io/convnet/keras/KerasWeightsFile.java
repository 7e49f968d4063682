package io.convnet.keras;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.api.dataset.ContiguousDataset;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Keras 2 {@code .h5} weights file read with a real HDF5 reader (jHDF): what {@code model.save_weights()} and
 * {@code keras.applications} write ({@code vgg16_weights_tf_dim_ordering_tf_kernels[_notop].h5}), or a whole
 * saved model ({@code model.save('x.h5')}: the same structure under {@code model_weights}, plus a
 * {@code model_config} JSON attribute).
 *
 * <p>The layout: an attribute {@code layer_names} (byte strings; Keras splits very long ones into
 * {@code layer_names0}, {@code layer_names1}, ...), a group per layer carrying {@code weight_names}
 * ({@code block1_conv1/kernel:0}, {@code block1_conv1/bias:0}; older files {@code block1_conv1_W_1:0}; empty or
 * absent for pools, flatten, dropout, input), and the arrays at {@code <layer>/<weight name>}. A nested model
 * (Chollet's {@code model.add(conv_base)}) is one group whose weight names carry the inner layer names; its
 * weights are listed under those inner layers.
 *
 * <p>Opening checks the HDF5 signature, the layout and that every contiguous array lies inside the file (a
 * truncated download fails here, before any weight is read). Arrays are read one at a time ({@link #read}), so
 * memory stays at the largest array. Not thread-safe.
 */
public final class KerasWeightsFile implements AutoCloseable {
  static final byte[] HDF5_SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
  static final String LAYER_NAMES = "layer_names";
  static final String WEIGHT_NAMES = "weight_names";
  static final String MODEL_WEIGHTS = "model_weights";
  static final String MODEL_CONFIG = "model_config";

  /** Where the layers live: at the root (weights file) or under {@code model_weights} (saved model). */
  public enum Layout { WEIGHTS, SAVED_MODEL }

  private final Path file;
  private final HdfFile hdf;
  private final Layout layout;
  private final String groupPrefix;
  private final List<String> fileLayerNames;
  private final Map<String, List<KerasWeight>> layers;
  private final String kerasVersion;
  private final String backend;
  private final String modelConfig;

  private KerasWeightsFile(Path file, HdfFile hdf, Layout layout, String groupPrefix, List<String> fileLayerNames,
      Map<String, List<KerasWeight>> layers, String kerasVersion, String backend, String modelConfig) {
    this.file = file;
    this.hdf = hdf;
    this.layout = layout;
    this.groupPrefix = groupPrefix;
    this.fileLayerNames = fileLayerNames;
    this.layers = layers;
    this.kerasVersion = kerasVersion;
    this.backend = backend;
    this.modelConfig = modelConfig;
  }

  /** Opens and checks a Keras weights file; {@link KerasH5Exception} naming the file and the problem. */
  public static KerasWeightsFile open(Path file) {
    long size = checkSignature(file);
    HdfFile hdf;
    try {
      hdf = new HdfFile(file);
    } catch (RuntimeException e) {
      throw damaged(file, e);
    }
    try {
      return describe(file, hdf, size);
    } catch (KerasH5Exception e) {
      hdf.close();
      throw e;
    } catch (RuntimeException e) {
      hdf.close();
      throw damaged(file, e);
    }
  }

  private static KerasWeightsFile describe(Path file, HdfFile hdf, long fileSize) {
    Group root = hdf;
    Layout layout = Layout.WEIGHTS;
    String prefix = "";
    String modelConfig = stringAttribute(hdf, MODEL_CONFIG).orElse(null);
    if (!hasStrings(hdf, LAYER_NAMES)) {
      Node mw = hdf.getChildren().get(MODEL_WEIGHTS);
      if (mw instanceof Group g && hasStrings(g, LAYER_NAMES)) {
        root = g;
        layout = Layout.SAVED_MODEL;
        prefix = MODEL_WEIGHTS + "/";
      } else if (hdf.getChildren().containsKey("layers") && hdf.getChildren().containsKey("vars")
          || hdf.getChildren().containsKey("_layer_checkpoint_dependencies")) {
        throw new KerasH5Exception(file + ": a Keras 3 weights file (.weights.h5), which is not supported; save the "
            + "weights with Keras 2 / tf.keras (model.save_weights('x.h5') with h5 format) or use keras.applications' "
            + "files");
      } else {
        throw new KerasH5Exception(file + ": not a Keras weights file: no '" + LAYER_NAMES + "' attribute at the root "
            + "or in '" + MODEL_WEIGHTS + "' (root holds " + hdf.getChildren().keySet() + ", attributes "
            + hdf.getAttributes().keySet() + ")");
      }
    }
    List<String> names = strings(root, LAYER_NAMES);
    Map<String, List<KerasWeight>> layers = new LinkedHashMap<>();
    for (String layer : names) {
      Node n = root.getChildren().get(layer);
      if (!(n instanceof Group g)) {
        throw new KerasH5Exception(file + ": layer '" + layer + "' is listed in " + LAYER_NAMES
            + " but has no group in the file");
      }
      layers.putIfAbsent(layer, new ArrayList<>());
      for (String weightName : strings(g, WEIGHT_NAMES)) {
        String path = prefix + layer + "/" + weightName;
        Node wn = nodeAt(hdf, path);
        if (!(wn instanceof Dataset ds)) {
          throw new KerasH5Exception(file + ": weight '" + weightName + "' of layer '" + layer + "' has no dataset at "
              + path);
        }
        checkInsideFile(file, hdf, ds, path, fileSize);
        String owner = ownerLayer(layer, weightName);
        layers.computeIfAbsent(owner, k -> new ArrayList<>())
            .add(new KerasWeight(owner, weightName, path, ds.getDimensions()));
      }
    }
    layers.replaceAll((k, v) -> List.copyOf(v));
    return new KerasWeightsFile(file, hdf, layout, prefix, List.copyOf(names), Collections.unmodifiableMap(layers),
        stringAttribute(root, "keras_version").orElse(null), stringAttribute(root, "backend").orElse(null),
        modelConfig);
  }

  /**
   * The layer a weight belongs to: the group's own layer, or, for a nested model's group ({@code vgg16} holding
   * {@code block1_conv1/kernel:0} or {@code vgg16/block1_conv1/kernel:0}), the inner layer.
   */
  static String ownerLayer(String groupLayer, String weightName) {
    String n = weightName.startsWith(groupLayer + "/") ? weightName.substring(groupLayer.length() + 1) : weightName;
    int slash = n.lastIndexOf('/');
    if (slash < 0) {
      return groupLayer;
    }
    String scope = n.substring(0, slash);
    return scope.substring(scope.lastIndexOf('/') + 1);
  }

  public Path file() {
    return file;
  }

  public Layout layout() {
    return layout;
  }

  /** {@code layer_names} as stored (a nested model appears as one name). */
  public List<String> fileLayerNames() {
    return fileLayerNames;
  }

  /** Every layer with its weights, in file order (nested models expanded; weightless layers: empty lists). */
  public Map<String, List<KerasWeight>> layers() {
    return layers;
  }

  /** The layers that have weights. */
  public List<String> weightedLayers() {
    return layers.entrySet().stream().filter(e -> !e.getValue().isEmpty()).map(Map.Entry::getKey).toList();
  }

  public Optional<String> kerasVersion() {
    return Optional.ofNullable(kerasVersion);
  }

  public Optional<String> backend() {
    return Optional.ofNullable(backend);
  }

  /** The {@code model_config} JSON of a whole saved model. */
  public Optional<String> modelConfig() {
    return Optional.ofNullable(modelConfig);
  }

  /** The values of one weight, row-major in its shape (float32 or float64 arrays; others are refused). */
  public float[] read(KerasWeight w) {
    Dataset ds;
    Object data;
    try {
      ds = hdf.getDatasetByPath(w.path());
      data = ds.getDataFlat();
    } catch (RuntimeException e) {
      throw new KerasH5Exception(file + ": cannot read weight " + w.path() + " (truncated or damaged file?): "
          + e.getMessage(), e);
    }
    float[] values;
    if (data instanceof float[] f) {
      values = f;
    } else if (data instanceof double[] d) {
      values = new float[d.length];
      for (int i = 0; i < d.length; i++) {
        values[i] = (float) d[i];
      }
    } else {
      throw new KerasH5Exception(file + ": weight " + w.path() + " holds " + ds.getJavaType().getSimpleName()
          + " values, not float32/float64");
    }
    if (values.length != w.size()) {
      throw new KerasH5Exception(file + ": weight " + w.path() + " has " + values.length + " values for shape "
          + Arrays.toString(w.shape()));
    }
    return values;
  }

  @Override
  public void close() {
    hdf.close();
  }

  @Override
  public String toString() {
    return file + " (" + layout + ", " + layers.size() + " layers)";
  }

  // --- checks and attribute helpers -------------------------------------------------------------------------

  /** The HDF5 signature sits at 0, 512, 1024, 2048, ... (after a user block); returns the file size. */
  private static long checkSignature(Path file) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size == 0) {
        throw new KerasH5Exception(file + ": not an HDF5 file (the file is empty)");
      }
      byte[] head = new byte[HDF5_SIGNATURE.length];
      for (long offset = 0; offset + HDF5_SIGNATURE.length <= size; offset = offset == 0 ? 512 : offset * 2) {
        ByteBuffer b = ByteBuffer.wrap(head);
        ch.read(b, offset);
        if (Arrays.equals(head, HDF5_SIGNATURE)) {
          return size;
        }
      }
      // never the bytes it starts with: an error message does not echo a file's contents
      throw new KerasH5Exception(file + ": not an HDF5 file (no HDF5 signature)");
    } catch (NoSuchFileException e) {
      throw new KerasH5Exception("no such weights file: " + file);
    } catch (IOException e) {
      throw new KerasH5Exception("cannot read weights file " + file + ": " + e.getMessage(), e);
    }
  }

  private static void checkInsideFile(Path file, HdfFile hdf, Dataset ds, String path, long fileSize) {
    if (ds instanceof ContiguousDataset c && !ds.isEmpty()) {
      long end = hdf.getUserBlockSize() + c.getDataAddress() + ds.getSizeInBytes();
      if (c.getDataAddress() < 0 || end > fileSize) {
        throw new KerasH5Exception(file + ": truncated: weight " + path + " ends at byte " + end + " but the file has "
            + fileSize + " bytes");
      }
    }
  }

  private static KerasH5Exception damaged(Path file, RuntimeException e) {
    return new KerasH5Exception(file + ": cannot read the HDF5 structure (truncated or damaged file?): "
        + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
  }

  private static Node nodeAt(HdfFile hdf, String path) {
    try {
      return hdf.getByPath(path);
    } catch (io.jhdf.exceptions.HdfInvalidPathException e) {
      return null;
    }
  }

  private static boolean hasStrings(Node node, String name) {
    return node.getAttributes().containsKey(name) || node.getAttributes().containsKey(name + "0");
  }

  /** A string-array attribute, joined from Keras' chunks {@code name0, name1, ...} if split; absent = empty. */
  static List<String> strings(Node node, String name) {
    Map<String, Attribute> attrs = node.getAttributes();
    if (attrs.containsKey(name)) {
      return toStrings(node, attrs.get(name));
    }
    List<String> out = new ArrayList<>();
    for (int chunk = 0; attrs.containsKey(name + chunk); chunk++) {
      out.addAll(toStrings(node, attrs.get(name + chunk)));
    }
    return out;
  }

  private static List<String> toStrings(Node node, Attribute a) {
    if (a.isEmpty()) {
      return List.of();
    }
    Object data = a.getData();
    if (data instanceof String s) {
      return List.of(s);
    }
    if (data instanceof Object[] array) {
      List<String> out = new ArrayList<>();
      for (Object o : array) {
        out.add(o instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(o));
      }
      return out;
    }
    if (data != null && data.getClass().isArray() && java.lang.reflect.Array.getLength(data) == 0) {
      return List.of(); // h5py stores an empty list as an empty float64 array
    }
    throw new KerasH5Exception(node.getFile() + ": attribute '" + a.getName() + "' of " + node.getPath()
        + " should hold strings, found " + (data == null ? "nothing" : data.getClass().getSimpleName()));
  }

  private static Optional<String> stringAttribute(Node node, String name) {
    Attribute a = node.getAttributes().get(name);
    if (a == null || a.isEmpty()) {
      return Optional.empty();
    }
    Object data = a.getData();
    if (data instanceof String s) {
      return Optional.of(s);
    }
    if (data instanceof byte[] b) {
      return Optional.of(new String(b, StandardCharsets.UTF_8));
    }
    return Optional.of(String.valueOf(data));
  }
}
