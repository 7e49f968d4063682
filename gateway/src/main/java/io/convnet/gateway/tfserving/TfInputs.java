package io.convnet.gateway.tfserving;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.convnet.gateway.serving.DenseJson;
import io.convnet.gateway.serving.ClassifyInput;
import io.convnet.gateway.serving.RequestImages;
import io.convnet.gateway.tfserving.TfSignatures.Signature;
import io.convnet.kit.ServiceException;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.Image;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.tensorflow.example.Example;
import org.tensorflow.example.Feature;
import org.tensorflow.framework.TensorProto;

/**
 * TF Serving's inputs to a {@link ClassifyInput}: the JSON of {@code :predict} (row format
 * {@code "instances"}, columnar {@code "inputs"}), the tensors of a gRPC {@code PredictRequest},
 * and the {@code tf.Example}s of Classify (the encoded image in the bytes feature
 * {@code image_bytes}). Strings are encoded images: {@code {"b64": ...}} in JSON, raw bytes in
 * protobuf. Floats are the preprocessed model input, {@code [n, h, w, c]}.
 */
final class TfInputs {
  enum Format { ROW, COLUMNAR }

  /** A parsed {@code :predict} body. */
  record Predict(Signature signature, Format format, ClassifyInput input) {
  }

  private final RequestImages images;

  TfInputs(RequestImages images) {
    this.images = images;
  }

  /** A {@code :predict} body, as TF Serving's {@code FillPredictRequestFromJson} reads it. */
  Predict predict(JsonObject body) {
    Signature signature = signature(body);
    boolean row = body.containsKey("instances");
    if (row && body.containsKey("inputs")) {
      throw invalid("Not formatted correctly expecting only one of 'inputs' or 'instances' keys to exist");
    }
    if (!row && !body.containsKey("inputs")) {
      throw invalid("Missing 'inputs' or 'instances' key");
    }
    Object data = body.getValue(row ? "instances" : "inputs");
    String key = null;
    if (signature == null) {  // no signature_name: encoded images go to serving_bytes, numbers to serving_default
      signature = firstLeaf(data) instanceof Number ? TfSignatures.SERVING_DEFAULT : TfSignatures.SERVING_BYTES;
      key = signature == TfSignatures.SERVING_BYTES ? LEGACY_IMAGE_KEY : null;
    }
    return new Predict(signature, row ? Format.ROW : Format.COLUMNAR,
        row ? rows(signature, data, key) : columns(signature, data, key));
  }

  /** What this gateway's :predict called the image input before the signatures had names: still taken. */
  private static final String LEGACY_IMAGE_KEY = "image";

  /** The value {@code named} holds for the signature's input (also under {@code legacyKey}), or null. */
  private static Object named(JsonObject named, Signature s, String legacyKey) {
    if (named.size() != 1) {
      return null;
    }
    Object v = named.getValue(s.input());
    return v != null || legacyKey == null ? v : named.getValue(legacyKey);
  }

  /** The body's {@code signature_name}, or null when it names none. */
  static Signature signature(JsonObject body) {
    Object name = body.getValue("signature_name");
    if (name != null && !(name instanceof String)) {
      throw invalid("'signature_name' key must be a string value");
    }
    return name == null || ((String) name).isEmpty() ? null : TfSignatures.named((String) name);
  }

  private ClassifyInput rows(Signature s, Object instances, String legacyKey) {
    if (!(instances instanceof JsonArray list)) {
      throw invalid("Excepting 'instances' to be an list/array");
    }
    if (list.isEmpty()) {
      throw invalid("No values in 'instances' array");
    }
    boolean named = isNamedObject(list.getValue(0));
    List<Object> values = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      Object item = list.getValue(i);
      if (named != isNamedObject(item)) {
        throw invalid(named ? "Expecting object but got list at item " + i + " of input list"
            : "Expecting value/list but got object at item " + i + " of input list");
      }
      if (named) {
        JsonObject object = (JsonObject) item;
        item = named(object, s, legacyKey);
        if (item == null) {
          throw invalid("Failed to process element: " + i + " of 'instances' list. JSON object keys " + object.fieldNames()
              + " must be equal to: " + s.input() + " (signature " + s.key() + ")");
        }
      }
      values.add(item);
    }
    if (s.takesFloats()) {
      return stack(values);
    }
    List<Image> out = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      out.add(stringInput(s, values.get(i), "instances[" + i + "]"));
    }
    images.checkCount(out.size());
    return ClassifyInput.images(out);
  }

  private ClassifyInput columns(Signature s, Object inputs, String legacyKey) {
    Object value = inputs;
    if (isNamedObject(inputs)) {
      value = named((JsonObject) inputs, s, legacyKey);
      if (value == null) {
        throw invalid("Missing named input: " + s.input() + " in 'inputs' object (signature " + s.key() + ")");
      }
    }
    String where = "inputs" + (value == inputs ? "" : "." + s.input());
    if (s.takesFloats()) {
      DenseJson.Floats floats = DenseJson.floats(value, where);
      return ClassifyInput.tensor(imageBatch(floats.shape(), where), floats.values());
    }
    if (!(value instanceof JsonArray list) || list.isEmpty()) {
      throw invalid(where + " must be a list of " + what(s) + " (" + s.input() + " is DT_STRING [-1])");
    }
    List<Image> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      out.add(stringInput(s, list.getValue(i), where + "[" + i + "]"));
    }
    images.checkCount(out.size());
    return ClassifyInput.images(out);
  }

  /** Instances of a float input, each [h, w, c], stacked to [n, h, w, c]. */
  private static ClassifyInput stack(List<Object> values) {
    long[] shape = null;
    float[] all = null;
    int offset = 0;
    for (int i = 0; i < values.size(); i++) {
      DenseJson.Floats row = DenseJson.floats(values.get(i), "instances[" + i + "]");
      if (shape == null) {
        shape = row.shape();
        all = new float[Math.multiplyExact(values.size(), row.values().length)];
      } else if (!Arrays.equals(shape, row.shape())) {
        throw invalid("Failed to process element: " + i + " of 'instances' list. Expecting shape "
            + Arrays.toString(shape) + " but got: " + Arrays.toString(row.shape()));
      }
      System.arraycopy(row.values(), 0, all, offset, row.values().length);
      offset += row.values().length;
    }
    long[] stacked = new long[shape.length + 1];
    stacked[0] = values.size();
    System.arraycopy(shape, 0, stacked, 1, shape.length);
    return ClassifyInput.tensor(imageBatch(stacked, "instances"), all);
  }

  /** {@code shape} when it is a batch of images, [n, height, width, channels] with no empty dimension. */
  private static long[] imageBatch(long[] shape, String where) {
    if (shape.length != 4 || Arrays.stream(shape).anyMatch(d -> d < 1)) {
      throw invalid(where + " has shape " + Arrays.toString(shape) + "; " + TfSignatures.SERVING_DEFAULT.key()
          + "'s input is [n, height, width, channels] (each instance [height, width, channels])");
    }
    return shape;
  }

  /** A DT_STRING value of JSON: {"b64": ...} (or a plain string, taken as its UTF-8 bytes). */
  private Image stringInput(Signature s, Object value, String where) {
    ByteString bytes;
    if (value instanceof JsonObject o && o.size() == 1 && o.getValue("b64") instanceof String b64) {
      bytes = ByteString.copyFrom(base64(b64, where));
    } else if (value instanceof String text) {
      bytes = ByteString.copyFromUtf8(text);
    } else {
      throw invalid(where + " must be " + what(s) + " (" + s.input() + " is DT_STRING), not "
          + (value instanceof JsonArray ? "a list" : value instanceof JsonObject ? "a JSON object" : String.valueOf(value)));
    }
    return s.takesExamples() ? example(parseExample(bytes, where), null, where) : images.bytes(bytes, where);
  }

  private static String what(Signature s) {
    return s.takesExamples() ? "{\"b64\": \"<serialized tf.Example>\"}" : "{\"b64\": \"<base64 JPEG or PNG>\"}";
  }

  /** A gRPC PredictRequest's input tensors for signature {@code s}. */
  ClassifyInput predict(Signature s, Map<String, TensorProto> inputs) {
    TensorProto tensor = inputs.get(s.input());
    if (tensor == null || inputs.size() != 1) {
      throw invalid("signature " + s.key() + " takes one input, '" + s.input() + "' (" + s.inputType().name()
          + "); the request has " + inputs.keySet());
    }
    if (tensor.getDtype() != s.inputType()) {
      throw invalid("input '" + s.input() + "' is " + tensor.getDtype().name() + "; signature " + s.key()
          + " takes " + s.inputType().name());
    }
    long[] shape = tensor.getTensorShape().getDimList().stream().mapToLong(d -> d.getSize()).toArray();
    if (s.takesFloats()) {
      return ClassifyInput.tensor(imageBatch(shape, "input '" + s.input() + "'"), floats(tensor, shape));
    }
    if (shape.length != 1 || shape[0] != tensor.getStringValCount() || shape[0] == 0) {
      throw invalid("input '" + s.input() + "' must be a DT_STRING tensor of shape [n] with n values; it has shape "
          + Arrays.toString(shape) + " and " + tensor.getStringValCount() + " values");
    }
    List<Image> out = new ArrayList<>();
    for (int i = 0; i < tensor.getStringValCount(); i++) {
      String where = s.input() + "[" + i + "]";
      out.add(s.takesExamples() ? example(parseExample(tensor.getStringVal(i), where), null, where)
          : images.bytes(tensor.getStringVal(i), where));
    }
    images.checkCount(out.size());
    return ClassifyInput.images(out);
  }

  /** float_val, or tensor_content (little-endian floats, what tf.make_tensor_proto writes). */
  private static float[] floats(TensorProto tensor, long[] shape) {
    long count = Arrays.stream(shape).reduce(1, (x, y) -> x * y);
    float[] values;
    if (!tensor.getTensorContent().isEmpty()) {
      ByteBuffer content = tensor.getTensorContent().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      values = new float[content.remaining() / 4];
      content.asFloatBuffer().get(values);
    } else {
      values = new float[tensor.getFloatValCount()];
      for (int i = 0; i < values.length; i++) {
        values[i] = tensor.getFloatVal(i);
      }
    }
    if (values.length != count || shape.length == 0) {
      throw invalid("input tensor of shape " + Arrays.toString(shape) + " has " + values.length + " values, not "
          + count);
    }
    return values;
  }

  /** The images of Classify's examples: each one's bytes feature {@code image_bytes} (or the context's). */
  ClassifyInput examples(List<Example> examples, Example context) {
    if (examples.isEmpty()) {
      throw invalid("Input is empty");
    }
    List<Image> out = new ArrayList<>();
    for (int i = 0; i < examples.size(); i++) {
      out.add(example(examples.get(i), context, "examples[" + i + "]"));
    }
    images.checkCount(out.size());
    return ClassifyInput.images(out);
  }

  /** The examples of a REST {@code :classify} body, as TF Serving builds them from JSON features. */
  static List<Example> examples(JsonObject body, String key) {
    Object list = body.getValue(key);
    if (!(list instanceof JsonArray array)) {
      throw invalid("Expecting '" + key + "' value to be an list/array");
    }
    if (array.isEmpty()) {
      throw invalid("'" + key + "' value is an empty array");
    }
    List<Example> out = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      out.add(example(array.getValue(i), key + "[" + i + "]"));
    }
    return out;
  }

  /** A JSON object of features as a {@code tf.Example} (only bytes features matter here). */
  static Example example(Object json, String where) {
    if (!(json instanceof JsonObject features)) {
      throw invalid("Example must be JSON object (" + where + ")");
    }
    Example.Builder example = Example.newBuilder();
    for (String name : features.fieldNames()) {
      Object value = features.getValue(name);
      Feature.Builder feature = Feature.newBuilder();
      for (Object v : value instanceof JsonArray a ? a.getList() : List.of(value)) {
        Object item = v instanceof java.util.Map<?, ?> m ? new JsonObject(castMap(m)) : v;
        if (item instanceof JsonObject o && o.size() == 1 && o.getValue("b64") instanceof String b64) {
          feature.getBytesListBuilder().addValue(ByteString.copyFrom(base64(b64, where + "." + name)));
        } else if (item instanceof String s) {
          feature.getBytesListBuilder().addValue(ByteString.copyFromUtf8(s));
        } else if (item instanceof Number n && (n instanceof Double || n instanceof Float)) {
          feature.getFloatListBuilder().addValue(n.floatValue());
        } else if (item instanceof Number n) {
          feature.getInt64ListBuilder().addValue(n.longValue());
        } else {
          throw invalid("Feature: " + name + " has element with unexpected JSON type (" + where + ")");
        }
      }
      example.getFeaturesBuilder().putFeature(name, feature.build());
    }
    return example.build();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Map<?, ?> m) {
    return (Map<String, Object>) m;
  }

  private Image example(Example example, Example context, String where) {
    Feature feature = example.getFeatures().getFeatureMap().get(TfSignatures.IMAGE_FEATURE);
    if (feature == null && context != null) {
      feature = context.getFeatures().getFeatureMap().get(TfSignatures.IMAGE_FEATURE);
    }
    if (feature == null || !feature.hasBytesList() || feature.getBytesList().getValueCount() != 1) {
      throw invalid(where + " needs the bytes feature '" + TfSignatures.IMAGE_FEATURE
          + "' with one value, the encoded image ({\"" + TfSignatures.IMAGE_FEATURE + "\": {\"b64\": \"...\"}})");
    }
    return images.bytes(feature.getBytesList().getValue(0), where + "." + TfSignatures.IMAGE_FEATURE);
  }

  private static Example parseExample(ByteString bytes, String where) {
    try {
      return Example.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw invalid(where + " is not a serialized tf.Example: " + e.getMessage());
    }
  }

  private static byte[] base64(String b64, String where) {
    try {
      return Base64.getDecoder().decode(b64.strip());
    } catch (IllegalArgumentException e) {
      try {
        return Base64.getUrlDecoder().decode(b64.strip());
      } catch (IllegalArgumentException again) {
        throw invalid(where + ": Unable to base64 decode (" + e.getMessage() + ")");
      }
    }
  }

  /** An object of named inputs, not a {"b64": ...} value. */
  private static boolean isNamedObject(Object value) {
    return value instanceof JsonObject o && !(o.size() == 1 && o.getValue("b64") instanceof String);
  }

  private static Object firstLeaf(Object value) {
    while (true) {
      if (value instanceof JsonArray a && !a.isEmpty()) {
        value = a.getValue(0);
      } else if (isNamedObject(value) && !((JsonObject) value).isEmpty()) {
        JsonObject o = (JsonObject) value;
        value = o.getValue(o.fieldNames().iterator().next());
      } else {
        return value;
      }
    }
  }

  static ServiceException invalid(String message) {
    return new ServiceException(ErrorCode.INVALID_ARGUMENT, message);
  }
}
