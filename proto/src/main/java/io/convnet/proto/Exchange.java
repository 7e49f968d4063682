package io.convnet.proto;

import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;

/**
 * A request/reply pair over Kafka: requests go to {@code requests}; each reply
 * goes to the {@link Topics#REPLIES} partition named in the request's
 * {@link Headers#REPLY_PARTITION} header, i.e. to the instance that asked.
 *
 * @param broadcast  true when every instance of the serving service answers
 *                   (status pings), false when exactly one does
 * @param idempotent true when asking twice does no harm (a pure query): an unanswered request
 *                   may be sent again, to another instance, under the same correlation id
 */
public record Exchange<Q extends MessageLite, R extends MessageLite>(
    String name, Topic<Q> requests, Parser<R> replyParser, boolean broadcast, boolean idempotent) {

  /** An exchange whose requests are never sent twice. */
  public Exchange(String name, Topic<Q> requests, Parser<R> replyParser, boolean broadcast) {
    this(name, requests, replyParser, broadcast, false);
  }
}
