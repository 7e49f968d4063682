package io.convnet.gateway.visualize;

import io.convnet.kit.ServiceException;
import io.convnet.proto.ErrorCode;
import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.DoubleConsumer;
import java.util.function.IntConsumer;
import java.util.function.LongConsumer;

/** Typed query parameters with 400s that name the parameter and what it should be. */
final class QueryParams {
  private final MultiMap params;

  QueryParams(MultiMap params, Set<String> known) {
    this.params = params;
    for (String name : params.names()) {
      if (!known.contains(name)) {
        throw invalid("unknown query parameter '" + name + "'; this route takes: " + String.join(", ", new TreeSet<>(known)));
      }
    }
  }

  static ServiceException invalid(String message) {
    return new ServiceException(ErrorCode.INVALID_ARGUMENT, message);
  }

  boolean has(String name) {
    String v = params.get(name);
    return v != null && !v.isBlank();
  }

  /** Hands the parameter, when given, to {@code set} (options left out keep the service's defaults). */
  void ifInteger(String name, IntConsumer set) {
    if (has(name)) {
      set.accept(integer(name));
    }
  }

  void ifLong(String name, LongConsumer set) {
    if (has(name)) {
      set.accept(longValue(name));
    }
  }

  void ifNumber(String name, DoubleConsumer set) {
    if (has(name)) {
      set.accept(number(name));
    }
  }

  String string(String name) {
    String v = params.get(name);
    return v == null ? "" : v.trim();
  }

  /** Comma-separated and/or repeated values, blanks dropped. */
  List<String> list(String name) {
    List<String> out = new ArrayList<>();
    for (String v : params.getAll(name)) {
      for (String part : v.split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
    }
    return out;
  }

  int integer(String name) {
    String v = string(name);
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw invalid("query parameter '" + name + "' must be an integer, not '" + v + "'");
    }
  }

  long longValue(String name) {
    String v = string(name);
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw invalid("query parameter '" + name + "' must be an integer, not '" + v + "'");
    }
  }

  double number(String name) {
    String v = string(name);
    try {
      double d = Double.parseDouble(v);
      if (!Double.isFinite(d)) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw invalid("query parameter '" + name + "' must be a number, not '" + v + "'");
    }
  }

  List<Integer> integers(String name) {
    List<Integer> out = new ArrayList<>();
    for (String v : list(name)) {
      try {
        out.add(Integer.parseInt(v));
      } catch (NumberFormatException e) {
        throw invalid("query parameter '" + name + "' must be integers separated by commas, not '" + string(name) + "'");
      }
    }
    return out;
  }

  boolean bool(String name) {
    String v = string(name).toLowerCase(Locale.ROOT);
    return switch (v) {
      case "", "true", "1", "yes" -> params.contains(name);
      case "false", "0", "no" -> false;
      default -> throw invalid("query parameter '" + name + "' must be true or false, not '" + string(name) + "'");
    };
  }
}
