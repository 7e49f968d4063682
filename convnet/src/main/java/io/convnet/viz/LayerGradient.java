package io.convnet.viz;

import io.convnet.nn.GraphNames;
import io.convnet.nn.Tensors;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** Grad-CAM's ops: the gradient of weighted logits with respect to one layer's output. */
final class LayerGradient {
  private final Operand<TFloat32> layer;
  private final Placeholder<TFloat32> weights;
  private final int logits;
  private final Output<?> gradient;

  private LayerGradient(Operand<TFloat32> layer, Placeholder<TFloat32> weights, int logits, Output<?> gradient) {
    this.layer = layer;
    this.weights = weights;
    this.logits = logits;
    this.gradient = gradient;
  }

  /** The layer's output ({@code [n, h, w, C]}), the gradient there, and the class probabilities. */
  record Result(long[] shape, float[] activations, float[] gradient, float[][] probabilities) {}

  static LayerGradient build(Ops tf, Graph graph, String layerName) {
    Operand<TFloat32> layer = VisualModel.ChannelGradient.tensor(graph, layerName);
    Operand<TFloat32> logits = VisualModel.ChannelGradient.tensor(graph, GraphNames.LOGITS);
    int k = Math.toIntExact(logits.shape().get(1));
    Placeholder<TFloat32> w = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, k)));
    Operand<TFloat32> score = tf.reduceSum(tf.math.mul(logits, w), tf.constant(new int[] {0, 1}));
    Output<?>[] grads = graph.addGradients(score.asOutput(), new Output<?>[] {layer.asOutput()});
    return new LayerGradient(layer, w, k, grads[0]);
  }

  Result run(Session session, TFloat32 x, int n, float[] logitWeights) {
    float[] w = new float[n * logits];
    for (int i = 0; i < n; i++) {
      System.arraycopy(logitWeights, 0, w, i * logits, logits);
    }
    try (x; TFloat32 wt = VisualModel.matrix(w, n, logits);
        org.tensorflow.Result r = session.runner().feed(GraphNames.INPUT, x).feed(weights, wt)
            .fetch(layer).fetch(gradient).fetch(GraphNames.PROBABILITIES).run()) {
      TFloat32 a = (TFloat32) r.get(0);
      return new Result(a.shape().asArray(), Tensors.flat(a), Tensors.flat((TFloat32) r.get(1)),
          Tensors.rows((TFloat32) r.get(2)));
    }
  }
}
