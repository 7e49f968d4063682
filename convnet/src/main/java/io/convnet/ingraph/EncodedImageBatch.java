package io.convnet.ingraph;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.TensorArray;
import org.tensorflow.op.core.TensorArrayGather;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TString;

/**
 * A batch of encoded images (string {@code [n]}, each its own size and format) -> model inputs
 * {@code [n, height, width, channels]}: {@link InGraphPreprocessing#fromEncoded} for each image in a
 * while loop writing a TensorArray, the graph TensorFlow 1's {@code tf.map_fn} builds (and TF Serving
 * has long run). TF Java 1.1.0 cannot pass a TensorList (a variant) through a functional {@code While}'s
 * ConcreteFunctions, so this is the C API's while loop; up to 10 images are in flight at once.
 */
public final class EncodedImageBatch {
  private EncodedImageBatch() {}

  /** Builds the loop in {@code tf}'s graph; {@code name} prefixes its ops. */
  @SuppressWarnings("unchecked")
  public static Operand<TFloat32> modelInputs(Ops tf, Operand<TString> images, InGraphPreprocessing prep,
      String name) {
    Graph graph = (Graph) tf.scope().env();
    Shape element = Shape.of(prep.height(), prep.width(), prep.channels());
    Operand<TInt32> n = tf.size(images, TInt32.class);
    TensorArray array = tf.tensorArray(n, TFloat32.class, TensorArray.elementShape(element));
    Output<?>[] loop = graph.whileLoop(
        new Output<?>[] {tf.constant(0).asOutput(), images.asOutput(), array.handle().asOutput(),
            array.flow().asOutput()},
        (cond, in, out) -> {
          Ops c = Ops.create(cond);
          out[0] = c.math.less((Output<TInt32>) in[0], c.size((Output<TString>) in[1], TInt32.class)).asOutput();
        },
        (body, in, out) -> {
          Ops b = Ops.create(body);
          Output<TInt32> i = (Output<TInt32>) in[0];
          Operand<TFloat32> pixels = prep.fromEncoded(b, b.gather((Output<TString>) in[1], i, b.constant(0)));
          out[0] = b.math.add(i, b.constant(1)).asOutput();
          out[1] = b.identity((Output<TString>) in[1]).asOutput();
          out[2] = b.identity(in[2]).asOutput();
          out[3] = b.tensorArrayWrite(in[2], i, pixels, (Output<TFloat32>) in[3]).flowOut().asOutput();
        },
        name);
    return tf.tensorArrayGather(loop[2], tf.range(tf.constant(0), n, tf.constant(1)), (Output<TFloat32>) loop[3],
        TFloat32.class, TensorArrayGather.elementShape(element));
  }
}
