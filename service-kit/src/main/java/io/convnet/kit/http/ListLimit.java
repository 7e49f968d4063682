package io.convnet.kit.http;

import io.convnet.kit.ServiceException;
import io.convnet.proto.ErrorCode;
import io.vertx.ext.web.RoutingContext;

/** The {@code ?limit=} of a route that lists things (training jobs, the audit log). */
public final class ListLimit {
  private ListLimit() {
  }

  /** The request's {@code limit}, 1..{@code max}; {@code absent} without one; INVALID_ARGUMENT otherwise. */
  public static int of(RoutingContext ctx, int absent, int max) {
    String value = ctx.queryParams().get("limit");
    if (value == null) {
      return absent;
    }
    try {
      int limit = Integer.parseInt(value);
      if (limit >= 1 && limit <= max) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new ServiceException(ErrorCode.INVALID_ARGUMENT, "limit must be 1.." + max);
  }
}
