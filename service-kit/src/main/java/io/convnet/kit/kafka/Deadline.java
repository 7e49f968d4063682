package io.convnet.kit.kafka;

/**
 * When the asker of a request stops waiting for its reply (the request's {@code DEADLINE_MS}
 * header): work for the request after that is wasted, and a handler may drop it.
 *
 * @param epochMillis wall-clock millis since the epoch, as the header carries it
 */
public record Deadline(long epochMillis) {
  /** A request without a deadline. */
  public static final Deadline NONE = new Deadline(Long.MAX_VALUE);

  /** Whether nobody waits for the reply any more. */
  public boolean passed() {
    return System.currentTimeMillis() > epochMillis;
  }
}
