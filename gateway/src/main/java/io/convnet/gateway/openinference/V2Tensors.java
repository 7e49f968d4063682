package io.convnet.gateway.openinference;

import com.google.protobuf.ByteString;
import io.convnet.gateway.serving.ClassifyInput;
import io.convnet.gateway.serving.RequestImages;
import io.convnet.kit.ServiceException;
import io.convnet.proto.ClassifyReply;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.ModelInfo;
import io.convnet.proto.Prediction;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The model's tensors in the Open Inference Protocol, whichever transport (JSON, the binary
 * tensor data extension, gRPC) carried them. Inputs, one per request: {@code image} BYTES
 * {@code [n]} (encoded JPEG/PNG images) or {@code input} FP32 {@code [n, h, w, c]} (the
 * preprocessed model input). Outputs: {@code probabilities} FP32 {@code [n, classes]} (label order)
 * and {@code label} BYTES {@code [n]}; an output asked for with the {@code classification}
 * parameter (Triton's classification extension) is instead BYTES {@code [n, k]} of
 * {@code "<score>:<index>:<label>"}, best first.
 */
final class V2Tensors {
  static final String IMAGE = "image";
  static final String INPUT = "input";
  static final String PROBABILITIES = "probabilities";
  static final String LABEL = "label";

  /** An input tensor: BYTES elements or FP32 values, row-major. */
  record Input(String name, String datatype, long[] shape, List<ByteString> bytes, float[] floats) {
  }

  /** A requested output: with {@code binary} (HTTP only) and top-{@code classification} (0: the tensor itself). */
  record Requested(String name, boolean binary, int classification) {
  }

  /** An output tensor: FP32 {@code floats} or BYTES {@code bytes}. */
  record Output(String name, String datatype, long[] shape, float[] floats, List<byte[]> bytes, boolean binary) {
    /** The binary tensor data: little-endian FP32, or each BYTES element as its 4-byte little-endian length and bytes. */
    byte[] raw() {
      ByteBuffer b;
      if (floats != null) {
        b = ByteBuffer.allocate(floats.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : floats) {
          b.putFloat(f);
        }
      } else {
        b = ByteBuffer.allocate(bytes.stream().mapToInt(e -> 4 + e.length).sum()).order(ByteOrder.LITTLE_ENDIAN);
        for (byte[] e : bytes) {
          b.putInt(e.length).put(e);
        }
      }
      return b.array();
    }
  }

  private V2Tensors() {
  }

  /** What the model takes, for metadata: both inputs (a request sends one of them) and both outputs. */
  static List<Output> inputsOf(ModelInfo info) {
    return List.of(new Output(IMAGE, "BYTES", new long[] {-1}, null, null, false),
        new Output(INPUT, "FP32", new long[] {-1, info.getInputHeight(), info.getInputWidth(), info.getInputChannels()},
            null, null, false));
  }

  static List<Output> outputsOf(ModelInfo info) {
    return List.of(new Output(PROBABILITIES, "FP32", new long[] {-1, info.getLabelsCount()}, null, null, false),
        new Output(LABEL, "BYTES", new long[] {-1}, null, null, false));
  }

  /** The request's one input as what the model classifies. */
  static ClassifyInput input(String model, List<Input> inputs, RequestImages images) {
    if (inputs.size() != 1) {
      throw invalid("expected 1 input for model '" + model + "' (" + IMAGE + " BYTES [n] or " + INPUT
          + " FP32 [n, h, w, c]), got " + inputs.size());
    }
    Input in = inputs.get(0);
    long elements = Arrays.stream(in.shape()).reduce(1, (x, y) -> x * y);
    if (in.shape().length == 0 || Arrays.stream(in.shape()).anyMatch(d -> d < 1)) {
      throw invalid("input '" + in.name() + "' has shape " + Arrays.toString(in.shape()) + "; every dimension must be >= 1");
    }
    switch (in.name()) {
      case IMAGE -> {
        expect(in, "BYTES");
        if (in.bytes().size() != elements) {
          throw invalid("input '" + IMAGE + "' of shape " + Arrays.toString(in.shape()) + " has " + in.bytes().size()
              + " elements, not " + elements);
        }
        images.checkCount(in.bytes().size());
        List<io.convnet.proto.Image> out = new ArrayList<>();
        for (int i = 0; i < in.bytes().size(); i++) {
          out.add(images.bytes(in.bytes().get(i), IMAGE + "[" + i + "]"));
        }
        return ClassifyInput.images(out);
      }
      case INPUT -> {
        expect(in, "FP32");
        if (in.shape().length != 4 || in.floats().length != elements) {
          throw invalid("input '" + INPUT + "' must be FP32 [n, height, width, channels] with that many values; it has"
              + " shape " + Arrays.toString(in.shape()) + " and " + in.floats().length + " values");
        }
        return ClassifyInput.tensor(in.shape(), in.floats());
      }
      default -> throw invalid("unexpected inference input '" + in.name() + "' for model '" + model
          + "': it takes '" + IMAGE + "' (BYTES [n], encoded images) or '" + INPUT + "' (FP32 [n, h, w, c])");
    }
  }

  private static void expect(Input in, String datatype) {
    if (!datatype.equals(in.datatype())) {
      throw invalid("input '" + in.name() + "' has datatype " + in.datatype() + "; this model takes " + datatype
          + " for '" + in.name() + "'");
    }
  }

  /** The outputs asked for (all when {@code requested} is empty), from the worker's answer. */
  static List<Output> outputs(String model, ClassifyReply reply, List<Requested> requested, boolean binaryByDefault) {
    List<Requested> wanted = requested.isEmpty()
        ? List.of(new Requested(PROBABILITIES, binaryByDefault, 0), new Requested(LABEL, binaryByDefault, 0))
        : requested;
    int n = reply.getPredictionsCount();
    int classes = reply.getLabelsCount();
    check(model, wanted);
    List<Output> out = new ArrayList<>();
    for (Requested r : wanted) {
      if (r.classification() > 0) {
        int k = Math.min(r.classification(), classes);
        List<byte[]> tops = new ArrayList<>();
        for (Prediction p : reply.getPredictionsList()) {
          IntStream.range(0, classes).boxed()
              .sorted(Comparator.comparingDouble((Integer i) -> p.getProbabilities(i)).reversed()).limit(k)
              .forEach(i -> tops.add((p.getProbabilities(i) + ":" + i + ":" + reply.getLabels(i))
                  .getBytes(StandardCharsets.UTF_8)));
        }
        out.add(new Output(r.name(), "BYTES", new long[] {n, k}, null, tops, r.binary()));
      } else if (r.name().equals(PROBABILITIES)) {
        float[] values = new float[n * classes];
        for (int i = 0; i < n; i++) {
          for (int j = 0; j < classes; j++) {
            values[i * classes + j] = reply.getPredictions(i).getProbabilities(j);
          }
        }
        out.add(new Output(PROBABILITIES, "FP32", new long[] {n, classes}, values, null, r.binary()));
      } else {
        List<byte[]> labels = reply.getPredictionsList().stream()
            .map(p -> p.getRanked(0).getLabel().getBytes(StandardCharsets.UTF_8)).toList();
        out.add(new Output(LABEL, "BYTES", new long[] {n}, null, labels, r.binary()));
      }
    }
    return out;
  }

  /** INVALID_ARGUMENT for an output the model does not have. */
  static void check(String model, List<Requested> requested) {
    for (Requested r : requested) {
      if (!r.name().equals(PROBABILITIES) && !r.name().equals(LABEL)) {
        throw invalid("unexpected inference output '" + r.name() + "' for model '" + model + "'; outputs: "
            + PROBABILITIES + ", " + LABEL);
      }
      if (r.classification() < 0) {
        throw invalid("output '" + r.name() + "': classification must be a positive count, not " + r.classification());
      }
    }
  }

  /** BYTES elements of the binary tensor data (each a 4-byte little-endian length and its bytes). */
  static List<ByteString> bytesElements(ByteString raw, String where) {
    List<ByteString> out = new ArrayList<>();
    ByteBuffer b = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    while (b.hasRemaining()) {
      if (b.remaining() < 4) {
        throw invalid(where + ": BYTES data ends inside an element's 4-byte length");
      }
      long length = Integer.toUnsignedLong(b.getInt());
      if (length > b.remaining()) {
        throw invalid(where + ": a BYTES element of " + length + " bytes where " + b.remaining() + " remain");
      }
      int start = b.position();
      out.add(raw.substring(start, start + (int) length));
      b.position(start + (int) length);
    }
    return out;
  }

  /** FP32 values of the binary tensor data (little-endian). */
  static float[] floatElements(ByteString raw, String where) {
    if (raw.size() % 4 != 0) {
      throw invalid(where + ": " + raw.size() + " bytes of FP32 data is not a whole number of 4-byte values");
    }
    float[] values = new float[raw.size() / 4];
    raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
    return values;
  }

  /** A v2 version string ("" or a positive integer) as a version number (0: the served one). */
  static long version(String version) {
    if (version == null || version.isEmpty()) {
      return 0;
    }
    try {
      long v = Long.parseLong(version);
      if (v > 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw invalid("version must be a positive integer, not '" + version + "'");
  }

  static ServiceException invalid(String message) {
    return new ServiceException(ErrorCode.INVALID_ARGUMENT, message);
  }
}
