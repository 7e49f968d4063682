package io.convnet.keras;

import io.convnet.nn.Model;
import io.convnet.nn.ModelVariable;
import io.convnet.nn.WeightSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads Keras {@code .h5} weights into a {@link Model}, matching layers by name (Keras'
 * {@code load_weights(by_name=True)}): every layer asked for must be in the file with a kernel and a bias of
 * exactly the model's shapes. All layers are checked before the first value is written; any problem is one
 * {@link KerasH5Exception} naming each layer and both shapes. Layers of the file that were not asked for are
 * ignored (a with-top file's {@code fc1}, {@code fc2}, {@code predictions} when only the base is wanted).
 *
 * <p>If reading fails after the checks (a file damaged inside an array), the model holds some imported and
 * some initial weights: callers discard it (the training job closes it and publishes nothing).
 */
public final class KerasWeightImporter {
  private static final Logger LOG = LoggerFactory.getLogger(KerasWeightImporter.class);

  private KerasWeightImporter() {}

  /**
   * What was imported.
   *
   * @param loaded layers whose weights were set, in model order
   * @param ignored weighted layers of the file that were not loaded
   * @param parameters values imported
   */
  public record Report(Path file, String kerasVersion, List<String> loaded, List<String> ignored, long parameters) {}

  /** Loads every conv and dense layer of {@code model} from {@code file}. */
  public static Report load(Model model, Path file) {
    return load(model, file, weightedLayers(model).keySet());
  }

  /** Loads the named layers (e.g. VGG16's 13 conv layers into a base with a new head). */
  public static Report load(Model model, Path file, Collection<String> layers) {
    try (KerasWeightsFile f = KerasWeightsFile.open(file)) {
      return load(model, f, layers);
    }
  }

  public static Report load(Model model, KerasWeightsFile file, Collection<String> layers) {
    Map<String, List<ModelVariable>> modelLayers = weightedLayers(model);
    for (String l : layers) {
      if (!modelLayers.containsKey(l)) {
        throw new IllegalArgumentException("model '" + model.spec().name() + "' has no conv or dense layer '" + l
            + "'; it has " + modelLayers.keySet());
      }
    }
    List<Assignment> plan = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (String layer : modelLayers.keySet()) {
      if (!layers.contains(layer)) {
        continue;
      }
      List<KerasWeight> inFile = file.layers().get(layer);
      if (inFile == null || inFile.isEmpty()) {
        missing.add(layer);
        continue;
      }
      plan(layer, modelLayers.get(layer), inFile, plan, problems);
    }
    if (!missing.isEmpty()) {
      problems.add(0, "the file lacks " + missing.size() + " of the " + layers.size() + " layers to load: "
          + String.join(", ", missing) + " (the file's layers with weights: " + describe(file.weightedLayers()) + ")");
    }
    if (!problems.isEmpty()) {
      throw new KerasH5Exception(file.file() + " does not fit model '" + model.spec().name() + "': "
          + String.join("; ", problems));
    }
    long params = 0;
    for (Assignment a : plan) {
      float[] values = file.read(a.source());
      model.setWeight(a.target().name(), values);
      params += values.length;
    }
    List<String> loaded = plan.stream().map(a -> a.target().spec().layer()).distinct().toList();
    List<String> ignored = file.weightedLayers().stream().filter(l -> !loaded.contains(l)).toList();
    LOG.info("imported {} layers ({} parameters) from {}{}", loaded.size(), params, file.file(),
        ignored.isEmpty() ? "" : "; not loaded: " + ignored);
    return new Report(file.file(), file.kerasVersion().orElse(null), loaded, ignored, params);
  }

  private record Assignment(KerasWeight source, ModelVariable target) {}

  /** Pairs the file's kernel and bias with the model's, by rank (bias: rank 1), checking shapes. */
  private static void plan(String layer, List<ModelVariable> vars, List<KerasWeight> inFile, List<Assignment> plan,
      List<String> problems) {
    if (inFile.size() != vars.size()) {
      problems.add("layer " + layer + " has " + inFile.size() + " weights in the file " + inFile + " but the model's "
          + "layer has " + vars.size() + " (kernel and bias)");
      return;
    }
    List<KerasWeight> kernels = inFile.stream().filter(w -> w.shape().length != 1).toList();
    List<KerasWeight> biases = inFile.stream().filter(w -> w.shape().length == 1).toList();
    if (kernels.size() != 1 || biases.size() != 1) {
      problems.add("layer " + layer + ": cannot tell kernel from bias in the file's weights " + inFile);
      return;
    }
    for (ModelVariable v : vars) {
      boolean kernel = v.spec().kind() == WeightSpec.Kind.KERNEL;
      KerasWeight w = kernel ? kernels.get(0) : biases.get(0);
      if (!Arrays.equals(w.shape(), v.spec().shape())) {
        problems.add("layer " + layer + ": " + (kernel ? "kernel" : "bias") + " shape in the file "
            + Arrays.toString(w.shape()) + " differs from the model's " + Arrays.toString(v.spec().shape()));
      } else {
        plan.add(new Assignment(w, v));
      }
    }
  }

  /** The model's conv and dense layers with their variables (kernel, bias), in layer order. */
  static Map<String, List<ModelVariable>> weightedLayers(Model model) {
    Map<String, List<ModelVariable>> out = new LinkedHashMap<>();
    for (ModelVariable v : model.variables().values()) {
      out.computeIfAbsent(v.spec().layer(), k -> new ArrayList<>()).add(v);
    }
    return out;
  }

  private static String describe(List<String> names) {
    if (names.isEmpty()) {
      return "none";
    }
    return names.size() <= 20 ? String.join(", ", names)
        : String.join(", ", names.subList(0, 20)) + ", ... (" + names.size() + " in all)";
  }
}
