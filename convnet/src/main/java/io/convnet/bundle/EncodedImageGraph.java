package io.convnet.bundle;

import io.convnet.ingraph.EncodedImageBatch;
import io.convnet.ingraph.InGraphPreprocessing;
import io.convnet.nn.Model;
import java.util.List;
import java.util.Optional;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TString;

/**
 * The encoded-image front of an exported graph and its signatures. Three defaults chain into the model:
 * {@code tf_example} (serialized {@code tf.Example}s) -> parsed feature {@code image_bytes} (a placeholder
 * with that default) -> decoded and preprocessed in a loop -> {@code input} (a placeholder with that
 * default) -> the network. Feeding any link bypasses what is before it, so one network serves
 * {@link Signatures#CLASSIFY}, {@link Signatures#SERVING_BYTES} and the float signatures alike.
 */
final class EncodedImageGraph {
  static final String TF_EXAMPLE = "tf_example";
  private static final String LOOP = "decode_images";

  private EncodedImageGraph() {}

  /**
   * The in-graph preprocessing of a model taking {@code inputShape} (h, w, c) with the manifest's
   * {@code preprocessing}; empty when that cannot run in the graph (then only Java preprocesses).
   */
  static Optional<InGraphPreprocessing> preprocessing(int[] inputShape, Manifest.Preprocessing preprocessing) {
    return InGraphPreprocessing.Kind.of(preprocessing == null ? null : preprocessing.mode())
        .filter(kind -> kind.channels() == inputShape[2])
        .filter(kind -> kind != InGraphPreprocessing.Kind.MNIST || inputShape[0] >= 28 && inputShape[1] >= 28)
        .map(kind -> new InGraphPreprocessing(inputShape[0], inputShape[1], kind));
  }

  /** Builds {@code tf_example} -> {@code image_bytes} -> model inputs; the model's input defaults to it. */
  static Operand<TFloat32> modelInput(Ops tf, InGraphPreprocessing prep) {
    Placeholder<TString> examples = tf.withName(TF_EXAMPLE).placeholder(TString.class,
        Placeholder.shape(Shape.of(-1)));
    Operand<TString> bytes = tf.withName(Signatures.IMAGE_BYTES).placeholderWithDefault(imageBytes(tf, examples),
        Shape.of(-1));
    return EncodedImageBatch.modelInputs(tf, bytes, prep, LOOP);
  }

  /** The bytes feature {@code image_bytes} of each example (required: an example without it fails). */
  @SuppressWarnings("unchecked")
  private static Operand<TString> imageBytes(Ops tf, Operand<TString> examples) {
    Operand<TString> none = tf.constant(NdArrays.ofObjects(String.class, Shape.of(0)));
    var parsed = tf.io.parseExample(examples, none, none, tf.constant(NdArrays.vectorOfObjects(
        Signatures.IMAGE_BYTES)), none, List.of(none), 0L, List.of(), List.of(), List.of(), List.of(Shape.scalar()));
    return (Operand<TString>) parsed.denseValues().get(0);
  }

  /** The encoded-image signatures of a model built with {@link #modelInput} as its input default. */
  static List<Signature> signatures(Model m, List<String> labels) {
    Graph g = m.graph();
    Ops tf = m.tf();
    Operand<?> bytes = g.output(Signatures.IMAGE_BYTES);
    Operand<TFloat32> scores = tf.withName(Signatures.SCORES).identity(m.probabilities());
    Operand<TInt32> rows = tf.slice(tf.shape(scores), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
    Operand<TString> labelRow = tf.constant(NdArrays.vectorOfObjects(labels.toArray(String[]::new)));
    Operand<TString> classes = tf.withName(Signatures.CLASSES).reshape(
        tf.tile(tf.expandDims(labelRow, tf.constant(0)), tf.concat(List.of(rows, tf.constant(new int[] {1})),
            tf.constant(0))),
        tf.constant(new int[] {-1, labels.size()}));
    return List.of(
        Signature.builder().key(Signatures.SERVING_BYTES).methodName(Signatures.PREDICT_METHOD)
            .input(Signatures.IMAGE_BYTES, bytes).output(io.convnet.nn.GraphNames.PROBABILITIES, m.probabilities())
            .build(),
        Signature.builder().key(Signatures.PREPROCESS_BYTES).methodName(Signatures.PREDICT_METHOD)
            .input(Signatures.IMAGE_BYTES, bytes).output(Signatures.IMAGES, m.input()).build(),
        Signature.builder().key(Signatures.CLASSIFY).methodName(Signatures.CLASSIFY_METHOD)
            .input(Signatures.CLASSIFY_INPUTS, g.output(TF_EXAMPLE))
            .output(Signatures.CLASSES, classes).output(Signatures.SCORES, scores).build());
  }
}
