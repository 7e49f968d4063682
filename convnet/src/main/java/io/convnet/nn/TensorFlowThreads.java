package io.convnet.nn;

import java.util.Map;
import org.tensorflow.proto.ConfigProto;

/**
 * How TensorFlow's thread pools run in this process, applied to every session convnet opens (training,
 * serving, in-graph decoding). TensorFlow keeps one intra-op pool per process, sized by the first session,
 * so one setting serves all. The defaults are TensorFlow's own; set them when a worker shares its cores
 * (another pod, a broker on the same host). Measured on 2 cores (docs/benchmarks.md): parking idle
 * threads instead of spinning changed neither TensorFlow's CPU per image nor the Kafka hops' latency.
 * Settings, from the environment:
 * <ul>
 *   <li>{@value #INTRA_OP}: threads one op (a convolution) splits over; 0 (default) = TensorFlow's choice, the cores;
 *   <li>{@value #INTER_OP}: independent ops run at once; 0 (default) = TensorFlow's choice, the cores;
 *   <li>{@value #SPIN}: {@code true} (default, TensorFlow's own) lets idle pool threads spin briefly before
 *       they sleep; {@code false} parks them at once.
 * </ul>
 */
public record TensorFlowThreads(int intraOp, int interOp, boolean spin) {
  public static final String INTRA_OP = "CONVNET_TF_INTRA_OP_THREADS";
  public static final String INTER_OP = "CONVNET_TF_INTER_OP_THREADS";
  public static final String SPIN = "CONVNET_TF_SPIN";

  private static final TensorFlowThreads PROCESS = of(System.getenv());

  public TensorFlowThreads {
    if (intraOp < 0 || interOp < 0) {
      throw new IllegalArgumentException("thread counts must be 0 (TensorFlow's choice) or more");
    }
  }

  /** The settings in {@code env}, defaults for those missing; a bad value is refused with the setting's name. */
  public static TensorFlowThreads of(Map<String, String> env) {
    return new TensorFlowThreads(count(env, INTRA_OP), count(env, INTER_OP), flag(env, SPIN));
  }

  /** This process's settings (from its environment), as every session convnet opens uses them. */
  public static TensorFlowThreads process() {
    return PROCESS;
  }

  /** The session configuration for {@code org.tensorflow.Session} and {@code SavedModelBundle.loader}. */
  public ConfigProto configProto() {
    ConfigProto.Builder b = ConfigProto.newBuilder()
        .setIntraOpParallelismThreads(intraOp)
        .setInterOpParallelismThreads(interOp);
    b.getExperimentalBuilder().setDisableThreadSpinning(!spin);
    return b.build();
  }

  private static int count(Map<String, String> env, String name) {
    String v = env.getOrDefault(name, "0").strip();
    try {
      int n = Integer.parseInt(v.isEmpty() ? "0" : v);
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw new IllegalArgumentException(name + " must be a whole number >= 0 (0: TensorFlow's choice), not '" + v + "'");
  }

  private static boolean flag(Map<String, String> env, String name) {
    String v = env.getOrDefault(name, "true").strip().toLowerCase(java.util.Locale.ROOT);
    return switch (v) {
      case "true", "" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException(name + " must be true or false, not '" + v + "'");
    };
  }
}
