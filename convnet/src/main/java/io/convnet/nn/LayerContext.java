package io.convnet.nn;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/** What a layer may use while adding its ops: the op factory, its variables, the training switches. */
public interface LayerContext {

  Ops tf();

  /** Creates (glorot-uniform kernel / zero bias initialised) the variable described by {@code spec}. */
  Variable<TFloat32> variable(WeightSpec spec);

  /** 1.0 while training, 0.0 (the default) for inference; dropout reads it. */
  Operand<TFloat32> trainingFlag();

  /** Seed pair of the stateless random ops (dropout masks), fed per training step. */
  Operand<TInt64> stepSeed();

  /** Registers a conv layer's pre-activation (bias added, before the activation). */
  void preActivation(String layer, Operand<TFloat32> preact);

  /** Index of the layer being built, to vary per-layer random streams. */
  int layerIndex();
}
