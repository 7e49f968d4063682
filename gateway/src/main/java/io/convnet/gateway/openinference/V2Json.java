package io.convnet.gateway.openinference;

import com.google.protobuf.ByteString;
import io.convnet.gateway.openinference.V2Tensors.Input;
import io.convnet.gateway.openinference.V2Tensors.Output;
import io.convnet.gateway.openinference.V2Tensors.Requested;
import io.convnet.gateway.serving.DenseJson;
import io.convnet.gateway.serving.HttpAnswers;
import io.convnet.gateway.serving.RequestImages;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The inference request and response of the Open Inference Protocol's HTTP/REST binding: JSON,
 * and Triton's binary tensor data extension both ways (a body of {@code Inference-Header-Content-Length}
 * bytes of JSON followed by the tensors whose {@code binary_data_size} parameter says how many
 * bytes each takes, in input order; outputs asked for with {@code binary_data}, or all with the
 * request parameter {@code binary_data_output}, likewise after the response's JSON). BYTES
 * elements in JSON are base64 strings (a JSON string cannot carry image bytes); in binary they are
 * raw. The request parameter {@code timeout} (microseconds, Triton's) bounds the wait.
 */
final class V2Json {
  static final String HEADER_LENGTH = "inference-header-content-length";

  /** A parsed request. */
  record Request(String id, List<Input> inputs, List<Requested> outputs, boolean binaryOutput, Duration timeout) {
  }

  /** A response: its JSON, and the binary tensor data after it (empty: none). */
  record Response(JsonObject json, Buffer binary) {
  }

  private V2Json() {
  }

  /** Parses {@code body}; {@code headerLength} is Inference-Header-Content-Length, or -1 without binary data. */
  static Request request(Buffer body, long headerLength) {
    if (headerLength > body.length()) {
      throw V2Tensors.invalid("Inference-Header-Content-Length " + headerLength + " is more than the body's "
          + body.length() + " bytes");
    }
    int jsonEnd = headerLength < 0 ? body.length() : (int) headerLength;
    JsonObject json = RequestImages.json(body.slice(0, jsonEnd));
    int offset = jsonEnd;
    if (!(json.getValue("inputs") instanceof JsonArray inputs) || inputs.isEmpty()) {
      throw V2Tensors.invalid("the request needs \"inputs\": [{\"name\", \"shape\", \"datatype\", \"data\"}]");
    }
    List<Input> parsed = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      if (!(inputs.getValue(i) instanceof JsonObject in)) {
        throw V2Tensors.invalid("inputs[" + i + "] must be an object");
      }
      Object size = parameters(in).getValue("binary_data_size");
      if (size != null) {
        if (!(size instanceof Number n) || n.longValue() < 0 || offset + n.longValue() > body.length()) {
          throw V2Tensors.invalid("input '" + in.getValue("name") + "': binary_data_size " + size
              + " does not fit the " + (body.length() - offset) + " bytes of binary data left");
        }
        ByteString raw = ByteString.copyFrom(body.getBytes(offset, offset + (int) n.longValue()));
        offset += (int) n.longValue();
        parsed.add(input(in, raw));
      } else {
        parsed.add(input(in, null));
      }
    }
    if (offset != body.length()) {
      throw V2Tensors.invalid((body.length() - offset) + " bytes after the JSON belong to no input (binary_data_size)");
    }
    JsonObject params = parameters(json);
    return new Request(json.getValue("id") instanceof String id ? id : null, parsed, requested(json),
        Boolean.TRUE.equals(params.getValue("binary_data_output")),
        params.getValue("timeout") instanceof Number us && us.longValue() > 0
            ? Duration.ofNanos(Math.multiplyExact(us.longValue(), 1000)) : OpenInference.NO_DEADLINE);
  }

  private static Input input(JsonObject in, ByteString raw) {
    if (!(in.getValue("name") instanceof String name) || !(in.getValue("datatype") instanceof String datatype)
        || !(in.getValue("shape") instanceof JsonArray shapeJson)) {
      throw V2Tensors.invalid("every input needs \"name\", \"shape\" and \"datatype\"");
    }
    long[] shape = new long[shapeJson.size()];
    for (int i = 0; i < shape.length; i++) {
      if (!(shapeJson.getValue(i) instanceof Number d)) {
        throw V2Tensors.invalid("input '" + name + "': shape " + shapeJson.encode() + " must be integers");
      }
      shape[i] = d.longValue();
    }
    String where = "input '" + name + "'";
    if (raw == null && !in.containsKey("data")) {
      throw V2Tensors.invalid(where + " has neither \"data\" nor binary data (binary_data_size)");
    }
    return switch (datatype) {
      case "BYTES" -> new Input(name, datatype, shape, raw != null ? V2Tensors.bytesElements(raw, where)
          : base64Strings(in.getValue("data"), where), null);
      case "FP32" -> new Input(name, datatype, shape, null, raw != null ? V2Tensors.floatElements(raw, where)
          : DenseJson.flatFloats(in.getValue("data"), where));
      default -> new Input(name, datatype, shape, List.of(), new float[0]);  // refused by V2Tensors.input, by name
    };
  }

  private static List<ByteString> base64Strings(Object data, String where) {
    List<ByteString> out = new ArrayList<>();
    collect(data, out, where);
    return out;
  }

  private static void collect(Object data, List<ByteString> out, String where) {
    if (data instanceof JsonArray a) {
      a.forEach(v -> collect(v, out, where));
    } else if (data instanceof String s) {
      try {
        out.add(ByteString.copyFrom(Base64.getMimeDecoder().decode(s)));
      } catch (IllegalArgumentException e) {
        throw V2Tensors.invalid(where + ": BYTES element " + out.size() + " is not base64 (" + e.getMessage() + ")");
      }
    } else {
      throw V2Tensors.invalid(where + ": BYTES data must be base64 strings, found "
          + (data instanceof JsonObject ? "a JSON object" : data == null ? "null" : "a " + data.getClass().getSimpleName()));
    }
  }

  private static List<Requested> requested(JsonObject json) {
    List<Requested> out = new ArrayList<>();
    if (json.getValue("outputs") instanceof JsonArray outputs) {
      for (Object o : outputs) {
        if (!(o instanceof JsonObject output) || !(output.getValue("name") instanceof String name)) {
          throw V2Tensors.invalid("every requested output needs a \"name\"");
        }
        JsonObject p = parameters(output);
        out.add(new Requested(name, Boolean.TRUE.equals(p.getValue("binary_data")),
            p.getValue("classification") instanceof Number k ? k.intValue() : 0));
      }
    }
    return out;
  }

  private static JsonObject parameters(JsonObject o) {
    return o.getValue("parameters") instanceof JsonObject p ? p : new JsonObject();
  }

  /** The response; outputs marked binary go after the JSON, with their binary_data_size. */
  static Response response(String model, long version, String id, List<Output> outputs) {
    JsonArray out = new JsonArray();
    Buffer binary = Buffer.buffer();
    for (Output o : outputs) {
      JsonObject tensor = new JsonObject().put("name", o.name()).put("datatype", o.datatype())
          .put("shape", new JsonArray(java.util.Arrays.stream(o.shape()).boxed().toList()));
      if (o.binary()) {
        byte[] raw = o.raw();
        binary.appendBytes(raw);
        tensor.put("parameters", new JsonObject().put("binary_data_size", raw.length));
      } else if (o.floats() != null) {
        JsonArray data = new JsonArray();
        for (float f : o.floats()) {
          data.add(HttpAnswers.number(f));
        }
        tensor.put("data", data);
      } else {
        JsonArray data = new JsonArray();
        o.bytes().forEach(b -> data.add(new String(b, StandardCharsets.UTF_8)));
        tensor.put("data", data);
      }
      out.add(tensor);
    }
    JsonObject json = new JsonObject().put("model_name", model).put("model_version", Long.toString(version));
    if (id != null) {
      json.put("id", id);
    }
    return new Response(json.put("outputs", out), binary);
  }
}
