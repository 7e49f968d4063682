package io.convnet.gateway.http;

/**
 * The request body bytes the gateway holds at once, across all requests, bounded: a body is
 * admitted only when its bytes fit, and gives them back when its exchange ends. Bodies over
 * {@link #LARGE_BODY} (phone photos, JSON with several images) may hold at most half of the
 * bound together (one alone may hold more), so that slow large uploads never crowd out ordinary
 * requests.
 */
final class BodyBudget {
  /** A body above this size is a large one. */
  static final long LARGE_BODY = 1 << 20;

  private final long limit;
  private long held;
  private long heldByLarge;

  BodyBudget(long limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("a body budget must be positive, not " + limit);
    }
    this.limit = limit;
  }

  long limit() {
    return limit;
  }

  /** Takes {@code bytes} when they fit; false, taking nothing, when they do not. */
  synchronized boolean tryTake(long bytes) {
    boolean large = bytes > LARGE_BODY;
    if (held + bytes > limit || (large && heldByLarge > 0 && heldByLarge + bytes > limit / 2)) {
      return false;
    }
    held += bytes;
    if (large) {
      heldByLarge += bytes;
    }
    return true;
  }

  /** Gives back what {@link #tryTake} took. */
  synchronized void giveBack(long bytes) {
    held -= bytes;
    if (bytes > LARGE_BODY) {
      heldByLarge -= bytes;
    }
  }

  synchronized long held() {
    return held;
  }
}
