package io.convnet.proto;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;

/**
 * A Kafka topic and the protobuf message type its record values carry.
 *
 * @param name              the topic name, defined once in {@link Topics}
 * @param parser            parses a record value; null for {@link Topics#REPLIES}, whose
 *                          values are parsed by the {@link Exchange} they answer
 * @param defaultPartitions partitions when no configuration overrides it
 * @param compacted         true for topics that keep the newest value per key
 * @param retentionMs       {@code retention.ms} the topic is created with: 0 for the broker's
 *                          default, -1 to keep records for ever
 */
public record Topic<T extends MessageLite>(String name, Parser<T> parser, int defaultPartitions, boolean compacted,
                                           long retentionMs) {

  /** A topic with the broker's default retention. */
  public Topic(String name, Parser<T> parser, int defaultPartitions, boolean compacted) {
    this(name, parser, defaultPartitions, compacted, 0);
  }

  public T parse(byte[] value) throws InvalidProtocolBufferException {
    if (parser == null) {
      throw new IllegalStateException(name + " carries several message types: parse with the Exchange");
    }
    return parser.parseFrom(value);
  }

  @Override
  public String toString() {
    return name;
  }
}
