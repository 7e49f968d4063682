package io.convnet.keras;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.convnet.nn.Layer;
import io.convnet.nn.Model;
import io.convnet.nn.WeightSpec;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Array;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link Model}'s weights in the layout Keras 2 uses for {@code save_weights('x.h5')} and the
 * {@code keras.applications} files, or as a whole saved model ({@code model_weights} group plus a
 * {@code model_config} attribute), so that {@link KerasWeightImporter} (and Keras) can read them back.
 *
 * <p>One deviation forced by jHDF 0.13, which cannot write an empty attribute: layers without weights get their
 * group but no {@code weight_names} attribute (Keras and this reader take an absent one as empty).
 */
public final class KerasH5Writer {
  /** Keras' version string written into the files. */
  public static final String KERAS_VERSION = "2.2.4";

  /** How weights are named: {@code block1_conv1/kernel:0} (Keras 2) or {@code block1_conv1_W_1:0} (Keras 1). */
  public enum Naming { KERAS2, KERAS1 }

  /**
   * @param naming weight names
   * @param savedModel write {@code model.save()}'s layout (under {@code model_weights}) instead of save_weights'
   * @param inputLayer list an {@code input_1} layer first, as functional models (keras.applications) do
   * @param layers write only these layers (e.g. the base, for a {@code _notop} file); null = all
   */
  public record Options(Naming naming, boolean savedModel, boolean inputLayer, List<String> layers) {
    public static final Options WEIGHTS = new Options(Naming.KERAS2, false, false, null);
    public static final Options APPLICATIONS = new Options(Naming.KERAS2, false, true, null);
    public static final Options SAVED_MODEL = new Options(Naming.KERAS2, true, false, null);

    public Options(Naming naming, boolean savedModel, boolean inputLayer) {
      this(naming, savedModel, inputLayer, null);
    }

    public Options onlyLayers(List<String> names) {
      return new Options(naming, savedModel, inputLayer, names == null ? null : List.copyOf(names));
    }
  }

  private KerasH5Writer() {}

  public static void write(Model model, Path file) {
    write(model, file, Options.WEIGHTS);
  }

  /** Writes to a temporary file beside {@code file}, then renames it: a reader never sees half a file. */
  public static void write(Model model, Path file, Options options) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      try (WritableHdfFile h5 = HdfFile.write(tmp)) {
        WritableGroup root = h5;
        if (options.savedModel()) {
          h5.putAttribute("keras_version", KERAS_VERSION);
          h5.putAttribute("backend", "tensorflow");
          h5.putAttribute(KerasWeightsFile.MODEL_CONFIG, modelConfig(model));
          root = h5.putGroup(KerasWeightsFile.MODEL_WEIGHTS);
        }
        writeLayers(model, root, options);
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    } finally {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // best effort
      }
    }
  }

  private static void writeLayers(Model model, WritableGroup root, Options options) {
    List<String> names = new ArrayList<>();
    if (options.inputLayer()) {
      names.add("input_1");
    }
    for (String n : model.spec().layerNames()) {
      if (options.layers() == null || options.layers().contains(n)) {
        names.add(n);
      }
    }
    root.putAttribute(KerasWeightsFile.LAYER_NAMES, names.toArray(String[]::new));
    root.putAttribute("backend", "tensorflow");
    root.putAttribute("keras_version", KERAS_VERSION);
    if (options.inputLayer()) {
      root.putGroup("input_1");
    }
    List<int[]> inputShapes = model.spec().layerInputShapes();
    for (int i = 0; i < model.spec().layers().size(); i++) {
      Layer layer = model.spec().layers().get(i);
      if (options.layers() != null && !options.layers().contains(layer.name())) {
        continue;
      }
      WritableGroup g = root.putGroup(layer.name());
      List<WeightSpec> weights = layer.weights(inputShapes.get(i));
      if (weights.isEmpty()) {
        continue;
      }
      List<String> weightNames = new ArrayList<>();
      for (WeightSpec w : weights) {
        weightNames.add(weightName(layer.name(), w.kind(), options.naming()));
      }
      g.putAttribute(KerasWeightsFile.WEIGHT_NAMES, weightNames.toArray(String[]::new));
      for (int k = 0; k < weights.size(); k++) {
        WeightSpec w = weights.get(k);
        String name = weightNames.get(k);
        WritableGroup parent = g;
        int slash = name.lastIndexOf('/');
        if (slash >= 0) { // "block1_conv1/kernel:0": a sub-group named like the layer, as h5py creates
          parent = subGroup(g, name.substring(0, slash));
          name = name.substring(slash + 1);
        }
        parent.putDataset(name, nested(model.weight(w.variableName()), w.shape()));
      }
    }
  }

  private static WritableGroup subGroup(WritableGroup g, String name) {
    if (g.getChildren().get(name) instanceof WritableGroup existing) {
      return existing;
    }
    return g.putGroup(name);
  }

  static String weightName(String layer, WeightSpec.Kind kind, Naming naming) {
    boolean kernel = kind == WeightSpec.Kind.KERNEL;
    return naming == Naming.KERAS2 ? layer + (kernel ? "/kernel:0" : "/bias:0") : layer + (kernel ? "_W_1:0" : "_b_1:0");
  }

  /** A row-major flat array as a Java multi-dimensional array of {@code shape} (what jHDF writes). */
  static Object nested(float[] flat, int[] shape) {
    Object out = Array.newInstance(float.class, shape);
    fill(out, flat, 0, shape, 0);
    return out;
  }

  private static int fill(Object array, float[] flat, int offset, int[] shape, int dim) {
    if (dim == shape.length - 1) {
      System.arraycopy(flat, offset, array, 0, shape[dim]);
      return offset + shape[dim];
    }
    for (int i = 0; i < shape[dim]; i++) {
      offset = fill(Array.get(array, i), flat, offset, shape, dim + 1);
    }
    return offset;
  }

  /** A Keras-shaped {@code model_config}: class names and names of the layers (enough to identify the model). */
  private static String modelConfig(Model model) {
    List<Map<String, Object>> layers = new ArrayList<>();
    for (Layer l : model.spec().layers()) {
      Map<String, Object> config = new LinkedHashMap<>();
      config.put("name", l.name());
      config.put("trainable", l.trainable());
      layers.add(Map.of("class_name", l.type(), "config", config));
    }
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("name", model.spec().name());
    config.put("layers", layers);
    try {
      return new ObjectMapper().writeValueAsString(Map.of("class_name", "Sequential", "config", config));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
