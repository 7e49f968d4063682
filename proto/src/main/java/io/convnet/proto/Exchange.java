package io.convnet.proto;

import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;

/**
 * A request/reply pair over Kafka: requests go to {@code requests}; each reply
 * goes to the {@link Topics#REPLIES} partition named in the request's
 * {@link Headers#REPLY_PARTITION} header, i.e. to the instance that asked.
 *
 * @param broadcast true when every instance of the serving service answers
 *                  (status pings), false when exactly one does
 */
public record Exchange<Q extends MessageLite, R extends MessageLite>(
    String name, Topic<Q> requests, Parser<R> replyParser, boolean broadcast) {
}
