package io.convnet.bundle;

import io.convnet.ingraph.InGraphPreprocessing;
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
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;
import org.tensorflow.TensorFlow;

/**
 * Writes a model as a bundle directory: a SavedModel of a fresh inference-only graph (no optimizer
 * slots, no training ops) holding the trained weights, plus {@code manifest.json}, written last. When the
 * manifest's preprocessing can run in the graph, the graph also takes encoded images and serialized
 * {@code tf.Example}s ({@link EncodedImageGraph}); the manifest lists every signature with its types.
 */
public final class BundleWriter {
  public static final String MANIFEST = "manifest.json";

  private BundleWriter() {}

  /** Fills in what the model itself knows: input, output, layers, float-tensor signatures, TF version. */
  public static Manifest describe(Model model, Manifest partial) {
    return describe(model, partial, signatures(model));
  }

  private static Manifest describe(Model model, Manifest partial, List<Signature> signatures) {
    int[] in = model.spec().inputShape();
    List<Manifest.LayerEntry> layers = new ArrayList<>();
    for (LayerInfo l : model.spec().layerInfos()) {
      layers.add(new Manifest.LayerEntry(l.name(), l.type(), l.outputShape(), l.params(), l.conv(), l.trainable()));
    }
    Map<String, Manifest.SignatureEntry> sigs = new LinkedHashMap<>();
    for (Signature s : signatures) {
      sigs.put(s.key(), entry(s));
    }
    var head = model.head();
    return new Manifest(Manifest.FORMAT_VERSION, partial.name(), partial.version(), partial.architecture(),
        partial.createdAt(), new Manifest.Input(in[0], in[1], in[2]), partial.preprocessing(), partial.labels(),
        new Manifest.Output(head.activation().kerasName(), head.classes()), layers, sigs, partial.metrics(),
        partial.training(), TensorFlow.version());
  }

  private static Manifest.SignatureEntry entry(Signature s) {
    Map<String, String> ins = new LinkedHashMap<>();
    Map<String, Manifest.TensorSpec> inSpecs = new LinkedHashMap<>();
    s.getInputs().forEach((k, v) -> {
      ins.put(k, v.name);
      inSpecs.put(k, spec(v));
    });
    Map<String, String> outs = new LinkedHashMap<>();
    Map<String, Manifest.TensorSpec> outSpecs = new LinkedHashMap<>();
    s.getOutputs().forEach((k, v) -> {
      outs.put(k, v.name);
      outSpecs.put(k, spec(v));
    });
    return new Manifest.SignatureEntry(ins, outs, s.methodName(), inSpecs, outSpecs);
  }

  private static Manifest.TensorSpec spec(Signature.TensorDescription t) {
    return new Manifest.TensorSpec(t.dataType.name(), t.shape.isUnknown() ? null : t.shape.asArray());
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
    Optional<InGraphPreprocessing> inGraph = EncodedImageGraph.preprocessing(model.spec().inputShape(),
        manifest.preprocessing());
    try (Model clean = inGraph.isPresent()
        ? model.spec().build(0, tf -> EncodedImageGraph.modelInput(tf, inGraph.get()))
        : model.spec().build(0)) {
      for (ModelVariable v : model.variables().values()) {
        clean.setWeight(v.name(), model.weight(v.name()));
      }
      List<Signature> signatures = new ArrayList<>(signatures(clean));
      if (inGraph.isPresent()) {
        signatures.addAll(EncodedImageGraph.signatures(clean, manifest.labels()));
      }
      SavedModelBundle.exporter(dir.toString()).withSession(clean.session())
          .withSignatures(signatures.toArray(Signature[]::new)).export();
      io.convnet.util.Json.write(dir.resolve(MANIFEST), describe(clean, manifest, signatures));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot export the SavedModel to " + dir, e);
    }
  }

  /** The float-tensor signatures, with TF Serving's predict method name (bundles before it had none). */
  static List<Signature> signatures(Model m) {
    var serving = Signature.builder().key(Signatures.SERVING).methodName(Signatures.PREDICT_METHOD)
        .input(GraphNames.INPUT, m.input()).output(GraphNames.PROBABILITIES, m.probabilities()).build();
    var logits = Signature.builder().key(Signatures.LOGITS).methodName(Signatures.PREDICT_METHOD)
        .input(GraphNames.INPUT, m.input()).output(GraphNames.LOGITS, m.logits()).build();
    var acts = Signature.builder().key(Signatures.ACTIVATIONS).methodName(Signatures.PREDICT_METHOD)
        .input(GraphNames.INPUT, m.input());
    for (Map.Entry<String, Operand<org.tensorflow.types.TFloat32>> e : m.layerOutputs().entrySet()) {
      acts.output(e.getKey(), e.getValue());
    }
    for (Map.Entry<String, Operand<org.tensorflow.types.TFloat32>> e : m.preActivations().entrySet()) {
      acts.output(GraphNames.preActivation(e.getKey()), e.getValue());
    }
    return List.of(serving, logits, acts.build());
  }
}
