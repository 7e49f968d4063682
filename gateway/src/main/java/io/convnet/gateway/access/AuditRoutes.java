package io.convnet.gateway.access;

import io.convnet.kit.ServiceException;
import io.convnet.kit.http.HttpErrors;
import io.convnet.kit.http.ListLimit;
import io.convnet.proto.AuditRecord;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.Topics;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code GET /v1/audit[?limit=&since=]} (admin): the audit log, newest first; {@code since} is
 * epoch milliseconds or an ISO-8601 instant. {@code GET /v1/whoami}: who the request's token
 * stands for (open: the web page checks a token with it).
 */
public final class AuditRoutes {
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;

  private final AuditTrail trail;

  public AuditRoutes(AuditTrail trail) {
    this.trail = trail;
  }

  /** Mounts the routes (a {@code RouteGroup}). */
  public void mount(Router router, Access access) {
    access.require(Role.ADMIN, router.get("/v1/audit")).handler(this::audit);
    access.open(router.get("/v1/whoami")).handler(ctx -> whoami(ctx, access));
  }

  private void audit(RoutingContext ctx) {
    Set<String> unknown = new java.util.TreeSet<>(ctx.queryParams().names());
    unknown.removeAll(Set.of("limit", "since"));
    if (!unknown.isEmpty()) {
      HttpErrors.respond(ctx, ErrorCode.INVALID_ARGUMENT, "unknown query parameters " + unknown + "; known: limit, since");
      return;
    }
    int limit;
    long since;
    try {
      limit = ListLimit.of(ctx, DEFAULT_LIMIT, MAX_LIMIT);
    } catch (ServiceException e) {
      HttpErrors.respond(ctx, e);
      return;
    }
    try {
      since = since(ctx.queryParams().get("since"));
    } catch (IllegalArgumentException e) {
      HttpErrors.respond(ctx, ErrorCode.INVALID_ARGUMENT, "since must be epoch milliseconds or an ISO-8601 instant "
          + "such as 2025-06-01T12:00:00Z");
      return;
    }
    if (!trail.caughtUp()) {
      HttpErrors.respond(ctx, ErrorCode.UNAVAILABLE, "the audit log is still being read from " + Topics.AUDIT.name()
          + "; retry in a moment");
      return;
    }
    List<AuditRecord> records = trail.newest(limit, since);
    JsonArray json = new JsonArray();
    records.forEach(r -> json.add(toJson(r)));
    ctx.response().putHeader("content-type", "application/json")
        .end(new JsonObject().put("count", records.size()).put("records", json).encode());
  }

  private static long since(String value) {
    if (value == null || value.isBlank()) {
      return 0;
    }
    if (value.chars().allMatch(Character::isDigit)) {
      return Long.parseLong(value);
    }
    try {
      return Instant.parse(value).toEpochMilli();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(e);
    }
  }

  static JsonObject toJson(AuditRecord r) {
    JsonObject json = new JsonObject()
        .put("time", Instant.ofEpochMilli(r.getTimestampMs()).toString())
        .put("timestampMs", r.getTimestampMs())
        .put("requestId", r.getRequestId())
        .put("subject", r.getSubject())
        .put("role", r.getRole().isEmpty() ? null : r.getRole())
        .put("via", r.getVia())
        .put("method", r.getMethod())
        .put("route", r.getRoute())
        .put("path", r.getPath())
        .put("target", r.getTarget())
        .put("status", r.getStatus())
        .put("requiredRole", r.getRequiredRole())
        .put("instance", r.getInstance())
        .put("remote", r.getRemote())
        .put("durationMs", r.getDurationMs())
        .put("details", new JsonObject(new TreeMap<String, Object>(r.getDetailsMap())));
    if (!r.getErrorCode().isEmpty()) {
      json.put("error", r.getErrorCode());
    }
    return json;
  }

  private static void whoami(RoutingContext ctx, Access access) {
    access.authenticate(ctx).onComplete(ar -> {
      if (ar.failed()) {
        ctx.response().putHeader("www-authenticate", "Bearer realm=\"" + Access.REALM + "\", error=\"invalid_token\"");
        HttpErrors.respond(ctx, ErrorCode.UNAUTHENTICATED, "the bearer token is not valid: " + ar.cause().getMessage());
        return;
      }
      Identity id = ar.result();
      boolean authenticated = !id.via().equals(Identity.ANONYMOUS.via());
      ctx.response().putHeader("content-type", "application/json").end(new JsonObject()
          .put("authenticated", authenticated)
          .put("subject", authenticated ? id.subject() : null)
          .put("role", id.role() == null ? null : id.role().id())
          .put("via", id.via())
          .put("auth", access.off() ? "off" : "on")
          .put("read", access.readersOnly() ? "reader" : "open")
          .encode());
    });
  }
}
