package io.convnet.gateway.serving;

import io.convnet.kit.ServiceException;
import io.convnet.proto.ErrorCode;
import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * JSON numbers as a dense float tensor, the way TF Serving reads them: the shape comes from the
 * first element at each level of nesting, every list must then have that size, values sit at the
 * innermost level only. Anything else is INVALID_ARGUMENT saying where.
 */
public final class DenseJson {
  /** A row-major tensor. */
  public record Floats(long[] shape, float[] values) {
    public long size() {
      return values.length;
    }
  }

  private DenseJson() {
  }

  /** {@code json} (a number or nested lists of numbers) as a tensor; {@code where} names it in errors. */
  public static Floats floats(Object json, String where) {
    List<Long> dims = new ArrayList<>();
    for (Object level = json; level instanceof JsonArray a; level = a.isEmpty() ? null : a.getValue(0)) {
      dims.add((long) a.size());
    }
    long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
    long count = Arrays.stream(shape).reduce(1, (x, y) -> x * y);
    if (count > Integer.MAX_VALUE - 8) {
      throw new ServiceException(ErrorCode.PAYLOAD_TOO_LARGE, where + " has " + count + " values");
    }
    float[] values = new float[(int) count];
    int[] next = {0};
    fill(json, 0, shape, values, next, where);
    return new Floats(shape, values);
  }

  /** {@code json} flattened whatever its nesting (the Open Inference Protocol's {@code data}), as floats. */
  public static float[] flatFloats(Object json, String where) {
    List<Object> leaves = new ArrayList<>();
    flatten(json, leaves);
    float[] values = new float[leaves.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = number(leaves.get(i), where);
    }
    return values;
  }

  private static void flatten(Object json, List<Object> out) {
    if (json instanceof JsonArray a) {
      for (Object v : a) {
        flatten(v, out);
      }
    } else {
      out.add(json);
    }
  }

  private static void fill(Object json, int level, long[] shape, float[] values, int[] next, String where) {
    if (!(json instanceof JsonArray a)) {
      if (level != shape.length) {
        throw new ServiceException(ErrorCode.INVALID_ARGUMENT, where + ": a value found at level " + (level + 1)
            + " of the nested lists; expected at level " + shape.length + " (a dense tensor of shape "
            + Arrays.toString(shape) + ")");
      }
      values[next[0]++] = number(json, where);
      return;
    }
    if (level >= shape.length || a.size() != shape[level]) {
      throw new ServiceException(ErrorCode.INVALID_ARGUMENT, where + ": a list of " + a.size() + " at level " + level
          + " where the first element says " + (level < shape.length ? shape[level] : "a value")
          + " (a dense tensor of shape " + Arrays.toString(shape) + ")");
    }
    for (Object v : a) {
      fill(v, level + 1, shape, values, next, where);
    }
  }

  private static float number(Object value, String where) {
    if (!(value instanceof Number n)) {
      throw new ServiceException(ErrorCode.INVALID_ARGUMENT, where + ": "
          + (value instanceof String || value instanceof io.vertx.core.json.JsonObject
          ? "a " + (value instanceof String ? "string" : "JSON object") : String.valueOf(value))
          + " where a number is expected (this input is DT_FLOAT / FP32)");
    }
    double d = n.doubleValue();
    float f = (float) d;
    if (Double.isFinite(d) && !Float.isFinite(f)) {
      throw new ServiceException(ErrorCode.INVALID_ARGUMENT, where + ": cannot convert " + d
          + " to float without loss of precision");
    }
    return f;
  }
}
