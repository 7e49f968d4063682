package io.convnet.gateway.access;

import io.convnet.kit.kafka.KafkaClients;
import io.convnet.kit.kafka.TopicFollower;
import io.convnet.proto.AuditRecord;
import io.convnet.proto.Topics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/**
 * The audit log as this gateway reads it back: {@link Topics#AUDIT} followed from its beginning
 * (every gateway's calls), the newest {@link #KEEP} records in memory; older ones stay in Kafka.
 */
public final class AuditTrail {
  static final int KEEP = 10_000;

  /** Where a record sits: ordered by time, then by its place in the log (the same record twice is one). */
  private record Position(long timestampMs, int partition, long offset) {
    static final Comparator<Position> ORDER = Comparator.comparingLong(Position::timestampMs)
        .thenComparingInt(Position::partition).thenComparingLong(Position::offset);
  }

  private final TreeMap<Position, AuditRecord> records = new TreeMap<>(Position.ORDER);
  private volatile TopicFollower<AuditRecord> follower;

  /** Starts following the topic; {@link #caughtUp()} once what it held at start is read. */
  public void start(Context context, KafkaClients clients) {
    follower = new TopicFollower<>(context, clients, Topics.AUDIT, e -> add(e.partition(), e.offset(), e.value()));
    follower.start();
  }

  public Future<Void> close() {
    return follower == null ? Future.succeededFuture() : follower.close();
  }

  boolean caughtUp() {
    TopicFollower<AuditRecord> f = follower;
    return f != null && f.caughtUp();
  }

  synchronized void add(int partition, long offset, AuditRecord record) {
    records.put(new Position(record.getTimestampMs(), partition, offset), record);
    while (records.size() > KEEP) {
      records.pollFirstEntry();
    }
  }

  /** At most {@code limit} records at or after {@code sinceMs}, newest first. */
  synchronized List<AuditRecord> newest(int limit, long sinceMs) {
    List<AuditRecord> found = new ArrayList<>();
    for (AuditRecord r : records.descendingMap().values()) {
      if (found.size() == limit || r.getTimestampMs() < sinceMs) {
        break;
      }
      found.add(r);
    }
    return found;
  }
}
