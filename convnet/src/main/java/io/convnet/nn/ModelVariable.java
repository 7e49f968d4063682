package io.convnet.nn;

import org.tensorflow.op.core.Assign;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/** A weight variable in a model graph, with the placeholder and assign op that set it from Java. */
public record ModelVariable(WeightSpec spec, boolean trainable, Variable<TFloat32> variable,
    Placeholder<TFloat32> value, Assign<TFloat32> assign) {

  public String name() {
    return spec.variableName();
  }
}
