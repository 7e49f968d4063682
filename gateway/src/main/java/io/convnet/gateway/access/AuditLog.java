package io.convnet.gateway.access;

import io.convnet.kit.http.HttpErrors;
import io.convnet.kit.kafka.Publish;
import io.convnet.proto.AuditRecord;
import io.convnet.proto.Topics;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one {@link AuditRecord} per audited call, when its answer has been sent, to
 * {@link Topics#AUDIT} (key: the request id), and hands it to this gateway's {@link AuditTrail}
 * at once so that its own calls read back without waiting for the follower.
 */
public final class AuditLog {
  private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
  private static final Pattern POSITIONAL = Pattern.compile("param\\d+");

  private final Producer<String, byte[]> producer;
  private final String instance;
  private final AuditTrail trail;

  public AuditLog(Producer<String, byte[]> producer, String instance, AuditTrail trail) {
    this.producer = producer;
    this.instance = instance;
    this.trail = trail;
  }

  void record(RoutingContext ctx, Route route, Role required, String requestId, long startNs) {
    Identity identity = ctx.get(Access.IDENTITY);
    if (identity == null) {
      identity = Identity.ANONYMOUS;
    }
    var response = ctx.response();
    String location = response.headers().get("location");
    String errorCode = ctx.get(HttpErrors.CODE);
    Map<String, String> details = new TreeMap<>();
    ctx.pathParams().forEach((k, v) -> {
      // a regex route also gives each group as param0, param1...: its named groups say the same by name
      if (v != null && !v.isEmpty() && !POSITIONAL.matcher(k).matches()) {
        details.put(k, v);
      }
    });
    Map<String, String> notes = ctx.get(Access.NOTES);
    if (notes != null) {
      details.putAll(notes);
    }
    AuditRecord record = AuditRecord.newBuilder()
        .setTimestampMs(System.currentTimeMillis())
        .setRequestId(requestId)
        .setSubject(identity.subject())
        .setRole(identity.role() == null ? "" : identity.role().id())
        .setVia(identity.via())
        .setMethod(ctx.request().method().name())
        .setRoute(Access.label(route))
        .setPath(ctx.request().path())
        .setTarget(location != null ? location : ctx.request().path())
        .setStatus(response.getStatusCode())
        .setErrorCode(errorCode == null ? "" : errorCode)
        .setRequiredRole(required.id())
        .setInstance(instance)
        .setRemote(ctx.request().remoteAddress() == null ? "" : ctx.request().remoteAddress().hostAddress())
        .putAllDetails(details)
        .setDurationMs((System.nanoTime() - startNs) / 1_000_000)
        .build();
    write(record);
  }

  /** Without waiting (the kit's producer never blocks): a record Kafka does not take is logged instead. */
  private void write(AuditRecord record) {
    Publish.send(producer, Topics.AUDIT, record.getRequestId(), record)
        .onSuccess(metadata -> trail.add(metadata.partition(), metadata.offset(), record))
        .onFailure(e -> lost(record, e));
  }

  /** The log keeps what the topic could not: who did what, so an operator can still tell. */
  private static void lost(AuditRecord r, Throwable e) {
    LOG.error("audit record not written to {} ({}): {} {} {} by {} ({}) -> {}", Topics.AUDIT.name(), e.toString(),
        r.getRequestId(), r.getMethod(), r.getPath(), r.getSubject(), r.getVia(), r.getStatus());
  }
}
