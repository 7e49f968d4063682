package io.convnet.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

class TensorFlowThreadsTest {
  @Test
  void defaultsAreTensorFlowsOwn() {
    ConfigProto c = TensorFlowThreads.of(Map.of()).configProto();
    assertThat(c.getIntraOpParallelismThreads()).isZero();
    assertThat(c.getInterOpParallelismThreads()).isZero();
    assertThat(c.getExperimental().getDisableThreadSpinning()).isFalse();
  }

  @Test
  void settingsFromTheEnvironmentReachTheSessionConfig() {
    ConfigProto c = TensorFlowThreads.of(Map.of(TensorFlowThreads.INTRA_OP, "2", TensorFlowThreads.INTER_OP, " 1 ",
        TensorFlowThreads.SPIN, "FALSE")).configProto();
    assertThat(c.getIntraOpParallelismThreads()).isEqualTo(2);
    assertThat(c.getInterOpParallelismThreads()).isEqualTo(1);
    assertThat(c.getExperimental().getDisableThreadSpinning()).isTrue();
  }

  @Test
  void badValuesAreRefusedWithTheSettingsName() {
    assertThatThrownBy(() -> TensorFlowThreads.of(Map.of(TensorFlowThreads.INTRA_OP, "-1")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(TensorFlowThreads.INTRA_OP);
    assertThatThrownBy(() -> TensorFlowThreads.of(Map.of(TensorFlowThreads.INTER_OP, "two")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(TensorFlowThreads.INTER_OP);
    assertThatThrownBy(() -> TensorFlowThreads.of(Map.of(TensorFlowThreads.SPIN, "yes")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(TensorFlowThreads.SPIN);
  }

  @Test
  void tensorFlowAcceptsTheConfigAndComputesWithIt() {
    ConfigProto c = TensorFlowThreads.of(Map.of(TensorFlowThreads.INTRA_OP, "1", TensorFlowThreads.INTER_OP, "1"))
        .configProto();
    try (Graph g = new Graph(); Session s = new Session(g, c)) {
      Ops tf = Ops.create(g);
      var sum = tf.math.add(tf.constant(new float[] {1f, 2f}), tf.constant(new float[] {3f, 4f}));
      try (var result = s.runner().fetch(sum).run(); TFloat32 t = (TFloat32) result.get(0)) {
        assertThat(new float[] {t.getFloat(0), t.getFloat(1)}).containsExactly(4f, 6f);
      }
    }
  }
}
