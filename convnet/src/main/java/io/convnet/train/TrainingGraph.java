package io.convnet.train;

import io.convnet.nn.GraphNames;
import io.convnet.nn.Model;
import io.convnet.nn.ModelVariable;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The ops training adds to a model's graph: {@code labels}, {@code loss}, and a {@code train_step} that
 * updates only the chosen variables (gradients by {@code Graph.addGradients}, so frozen layers stay put).
 */
final class TrainingGraph {
  final Placeholder<TInt32> labels;
  final Operand<TFloat32> loss;
  /** Scalar, the optimizer's learning rate unless fed (a decaying schedule feeds each epoch's). */
  final Operand<TFloat32> learningRate;
  final Op trainStep;

  TrainingGraph(Model model, OptimizerSpec optimizer, List<ModelVariable> trainable) {
    if (trainable.isEmpty()) {
      throw new IllegalArgumentException("nothing to train: every layer of '" + model.spec().name() + "' is frozen");
    }
    Ops tf = model.tf();
    labels = tf.withName(GraphNames.LABELS).placeholder(TInt32.class);
    loss = tf.withName(GraphNames.LOSS).identity(Losses.crossEntropy(tf, model.head(), model.logits(), labels));
    Output<?>[] xs = trainable.stream().map(v -> v.variable().asOutput()).toArray(Output<?>[]::new);
    Output<?>[] grads = model.graph().addGradients(loss.asOutput(), xs);
    List<Operand<TFloat32>> gs = new ArrayList<>();
    for (Output<?> g : grads) {
      @SuppressWarnings("unchecked")
      Operand<TFloat32> f = (Operand<TFloat32>) g;
      gs.add(f);
    }
    learningRate = tf.withName(GraphNames.LEARNING_RATE).placeholderWithDefault(
        tf.constant((float) optimizer.learningRate()), org.tensorflow.ndarray.Shape.scalar());
    // Every gradient before any update: the backward pass reads the variables (e.g. a dense kernel to pass the
    // gradient down), and an update running beside it would change what it reads, at random, run to run.
    Ops afterAll = tf.withControlDependencies(new ArrayList<Op>(gs));
    List<Operand<TFloat32>> ready = gs.stream().map(g -> (Operand<TFloat32>) afterAll.identity(g)).toList();
    List<Op> updates = Optimizers.updates(tf, optimizer, learningRate, trainable, ready);
    trainStep = tf.withControlDependencies(updates).withName(GraphNames.TRAIN_STEP).noOp();
    model.session().initialize(); // the new slot variables
  }
}
