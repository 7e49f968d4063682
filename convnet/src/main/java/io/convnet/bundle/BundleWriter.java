package io.convnet.bundle;

import io.convnet.nn.GraphNames;
import io.convnet.nn.LayerInfo;
import io.convnet.nn.Model;
import io.convnet.nn.ModelVariable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;
import org.tensorflow.TensorFlow;

/**
 * Writes a model as a bundle directory: a SavedModel of a fresh inference-only graph (no optimizer
 * slots, no training ops) holding the trained weights, plus {@code manifest.json}, written last.
 */
public final class BundleWriter {
  public static final String MANIFEST = "manifest.json";

  private BundleWriter() {}

  /** Fills in what the model itself knows: input, output, layers, signatures, TF version. */
  public static Manifest describe(Model model, Manifest partial) {
    int[] in = model.spec().inputShape();
    List<Manifest.LayerEntry> layers = new ArrayList<>();
    for (LayerInfo l : model.spec().layerInfos()) {
      layers.add(new Manifest.LayerEntry(l.name(), l.type(), l.outputShape(), l.params(), l.conv(), l.trainable()));
    }
    Map<String, Manifest.SignatureEntry> sigs = new LinkedHashMap<>();
    for (Signature s : signatures(model)) {
      Map<String, String> ins = new LinkedHashMap<>();
      s.getInputs().forEach((k, v) -> ins.put(k, v.name));
      Map<String, String> outs = new LinkedHashMap<>();
      s.getOutputs().forEach((k, v) -> outs.put(k, v.name));
      sigs.put(s.key(), new Manifest.SignatureEntry(ins, outs));
    }
    var head = model.head();
    return new Manifest(Manifest.FORMAT_VERSION, partial.name(), partial.version(), partial.architecture(),
        partial.createdAt(), new Manifest.Input(in[0], in[1], in[2]), partial.preprocessing(), partial.labels(),
        new Manifest.Output(head.activation().kerasName(), head.classes()), layers, sigs, partial.metrics(),
        partial.training(), TensorFlow.version());
  }

  /**
   * Exports {@code model}'s current weights and {@code manifest} into {@code dir} (which must not exist
   * or be empty). Callers wanting atomic publication use {@link BundleStore#publish}.
   */
  public static void write(Model model, Manifest manifest, Path dir) {
    if (manifest.labels() == null || manifest.labels().size() != model.head().classes()) {
      throw new IllegalArgumentException("the manifest needs " + model.head().classes() + " labels, got "
          + manifest.labels());
    }
    try (Model clean = model.spec().build(0)) {
      for (ModelVariable v : model.variables().values()) {
        clean.setWeight(v.name(), model.weight(v.name()));
      }
      SavedModelBundle.exporter(dir.toString()).withSession(clean.session())
          .withSignatures(signatures(clean).toArray(Signature[]::new)).export();
      io.convnet.util.Json.write(dir.resolve(MANIFEST), describe(clean, manifest));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot export the SavedModel to " + dir, e);
    }
  }

  static List<Signature> signatures(Model m) {
    var serving = Signature.builder().key(Signatures.SERVING).input(GraphNames.INPUT, m.input())
        .output(GraphNames.PROBABILITIES, m.probabilities()).build();
    var logits = Signature.builder().key(Signatures.LOGITS).input(GraphNames.INPUT, m.input())
        .output(GraphNames.LOGITS, m.logits()).build();
    var acts = Signature.builder().key(Signatures.ACTIVATIONS).input(GraphNames.INPUT, m.input());
    for (Map.Entry<String, Operand<org.tensorflow.types.TFloat32>> e : m.layerOutputs().entrySet()) {
      acts.output(e.getKey(), e.getValue());
    }
    for (Map.Entry<String, Operand<org.tensorflow.types.TFloat32>> e : m.preActivations().entrySet()) {
      acts.output(GraphNames.preActivation(e.getKey()), e.getValue());
    }
    return List.of(serving, logits, acts.build());
  }
}
