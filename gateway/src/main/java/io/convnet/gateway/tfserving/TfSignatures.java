package io.convnet.gateway.tfserving;

import io.convnet.kit.ServiceException;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.ModelInfo;
import io.convnet.proto.SignatureSpec;
import io.convnet.proto.TensorSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.framework.DataType;
import org.tensorflow.framework.SignatureDef;
import org.tensorflow.framework.TensorInfo;
import org.tensorflow.framework.TensorShapeProto;

/**
 * The SavedModel signatures this gateway answers, by the names, inputs, outputs and method names
 * the bundles export ({@code io.convnet.bundle.Signatures}, which the gateway does not depend on:
 * no TensorFlow here):
 * <pre>
 * serving_default   predict   input        DT_FLOAT  [-1, h, w, c]  -> probabilities DT_FLOAT [-1, classes]
 * serving_bytes     predict   image_bytes  DT_STRING [-1]           -> probabilities DT_FLOAT [-1, classes]
 * classify          classify  inputs       DT_STRING [-1] (tf.Example, bytes feature image_bytes)
 *                                                                   -> classes DT_STRING, scores DT_FLOAT [-1, classes]
 * </pre>
 * The bundle's other signatures (logits, activations, preprocess_bytes) are not served here.
 */
final class TfSignatures {
  static final String PREDICT_METHOD = "tensorflow/serving/predict";
  static final String CLASSIFY_METHOD = "tensorflow/serving/classify";
  static final String REGRESS_METHOD = "tensorflow/serving/regress";
  /** The feature of a {@code tf.Example} that holds the encoded image. */
  static final String IMAGE_FEATURE = "image_bytes";

  /** One served signature: its key, method and single input; the outputs follow from the method. */
  record Signature(String key, String method, String input, DataType inputType) {
    boolean takesFloats() {
      return inputType == DataType.DT_FLOAT;
    }

    boolean takesExamples() {
      return method.equals(CLASSIFY_METHOD);
    }

    /** Output names, sorted (the order TF Serving's JSON lists them in). */
    List<String> outputs() {
      return takesExamples() ? List.of("classes", "scores") : List.of("probabilities");
    }
  }

  static final Signature SERVING_DEFAULT = new Signature("serving_default", PREDICT_METHOD, "input", DataType.DT_FLOAT);
  static final Signature SERVING_BYTES = new Signature("serving_bytes", PREDICT_METHOD, IMAGE_FEATURE,
      DataType.DT_STRING);
  static final Signature CLASSIFY = new Signature("classify", CLASSIFY_METHOD, "inputs", DataType.DT_STRING);
  static final List<Signature> ALL = List.of(SERVING_DEFAULT, SERVING_BYTES, CLASSIFY);

  private TfSignatures() {
  }

  /** The signature {@code key}; INVALID_ARGUMENT, as TF Serving says it, for one this model does not have. */
  static Signature named(String key) {
    return ALL.stream().filter(s -> s.key().equals(key)).findFirst().orElseThrow(() -> new ServiceException(
        ErrorCode.INVALID_ARGUMENT, "Serving signature name: \"" + key + "\" not found in signature def"));
  }

  /**
   * The signature defs GetModelMetadata shows for the model {@code info} describes: the served
   * signatures as the bundle's manifest records them (method, tensor names, dtypes, shapes); for a
   * bundle from before encoded-image export, which records none of that, derived from its input size
   * and labels with the names the graph's tensors have.
   */
  static Map<String, SignatureDef> defs(ModelInfo info) {
    Map<String, SignatureSpec> recorded = new LinkedHashMap<>();
    info.getSignaturesList().forEach(s -> recorded.put(s.getKey(), s));
    Map<String, SignatureDef> defs = new LinkedHashMap<>();
    for (Signature s : ALL) {
      SignatureSpec spec = recorded.get(s.key());
      defs.put(s.key(), spec != null ? recorded(spec) : derived(s, info));
    }
    return defs;
  }

  private static SignatureDef recorded(SignatureSpec spec) {
    SignatureDef.Builder def = SignatureDef.newBuilder().setMethodName(spec.getMethodName());
    spec.getInputsList().forEach(t -> def.putInputs(t.getKey(), tensor(t)));
    spec.getOutputsList().forEach(t -> def.putOutputs(t.getKey(), tensor(t)));
    return def.build();
  }

  private static TensorInfo tensor(TensorSpec t) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder().setUnknownRank(t.getUnknownRank());
    t.getShapeList().forEach(d -> shape.addDim(TensorShapeProto.Dim.newBuilder().setSize(d)));
    return TensorInfo.newBuilder().setName(t.getTensorName()).setDtype(dtype(t.getDtype())).setTensorShape(shape).build();
  }

  /** TensorFlow's type by its name ("DT_FLOAT"); DT_INVALID for a name this proto does not know. */
  private static DataType dtype(String name) {
    for (DataType d : DataType.values()) {
      if (d != DataType.UNRECOGNIZED && d.name().equals(name)) {
        return d;
      }
    }
    return DataType.DT_INVALID;
  }

  private static SignatureDef derived(Signature s, ModelInfo info) {
    long classes = info.getLabelsCount();
    TensorInfo probabilities = tensor("probabilities:0", DataType.DT_FLOAT, -1, classes);
    SignatureDef.Builder def = SignatureDef.newBuilder().setMethodName(s.method());
    if (s == SERVING_DEFAULT) {
      return def.putInputs(s.input(), tensor("input:0", DataType.DT_FLOAT, -1, info.getInputHeight(),
          info.getInputWidth(), info.getInputChannels())).putOutputs("probabilities", probabilities).build();
    }
    if (s == SERVING_BYTES) {
      return def.putInputs(s.input(), tensor("image_bytes:0", DataType.DT_STRING, -1))
          .putOutputs("probabilities", probabilities).build();
    }
    return def.putInputs(s.input(), tensor("tf_example:0", DataType.DT_STRING, -1))
        .putOutputs("classes", tensor("classes:0", DataType.DT_STRING, -1, classes))
        .putOutputs("scores", tensor("scores:0", DataType.DT_FLOAT, -1, classes)).build();
  }

  private static TensorInfo tensor(String name, DataType dtype, long... shape) {
    TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
    for (long d : shape) {
      s.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
    }
    return TensorInfo.newBuilder().setName(name).setDtype(dtype).setTensorShape(s).build();
  }
}
