package io.convnet.gateway.access;

import io.convnet.kit.ServiceException;
import io.convnet.kit.config.KitConfig;
import io.convnet.kit.http.HttpErrors;
import io.convnet.proto.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Who may call which route, declared once per route by the route group that mounts it, first
 * thing on the route:
 * <pre>
 * access.require(Role.TRAINER, router.post("/v1/training-jobs")).handler(...)   // a role, audited
 * access.read(router.get("/v1/models")).handler(...)     // open, or a reader token (CONVNET_AUTH_READ=reader)
 * access.open(router.get("/")).handler(...)              // never asks (the web page, liveness)
 * </pre>
 * A route that needs a role answers 401 without a valid bearer token (a token of the token file,
 * or an OIDC JWT) and 403 when its role is too low; every call to it that changes state, and every
 * refused one, is written to the audit log. {@link #checkDeclared} refuses to start a gateway with
 * an API route that declared nothing.
 */
public final class Access {
  static final String REALM = "convnet";
  /** Route metadata: the rule a route declared ("admin", "trainer", "reader", "read", "open"). */
  static final String RULE = "convnet.access";
  static final String IDENTITY = "convnet.identity";
  static final String NOTES = "convnet.audit.notes";
  static final String REQUEST_ID = "x-request-id";
  private static final Pattern CLIENT_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  private static final Set<HttpMethod> READS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

  private final Authenticator authenticator;
  private final boolean readersOnly;
  private final AuditLog audit;
  private final Counter unauthenticated;
  private final Counter denied;

  Access(Authenticator authenticator, boolean readersOnly, AuditLog audit, MeterRegistry registry) {
    this.authenticator = authenticator;
    this.readersOnly = readersOnly;
    this.audit = audit;
    this.unauthenticated = refused(registry, 401);
    this.denied = refused(registry, 403);
  }

  private static Counter refused(MeterRegistry registry, int status) {
    return Counter.builder("convnet.access.refused").tag("status", String.valueOf(status))
        .description("calls refused for want of a valid token (401) or of a role (403)").register(registry);
  }

  /** Access as {@link AccessSettings} configure it; IllegalArgumentException for settings that make no sense. */
  public static Access fromConfig(Vertx vertx, KitConfig config, MeterRegistry registry, AuditLog audit) {
    boolean readersOnly = switch (config.get(AccessSettings.READ)) {
      case "open" -> false;
      case "reader" -> true;
      default -> throw new IllegalArgumentException(AccessSettings.READ.name() + " must be open or reader");
    };
    return new Access(Authenticator.fromConfig(vertx, config), readersOnly, audit, registry);
  }

  /** Loads the tokens and fetches the issuer's keys (failures are logged; calls are then refused). */
  public Future<Void> start(long reloadMs) {
    return authenticator.start(reloadMs);
  }

  public void close() {
    authenticator.close();
  }

  // ---- what route groups declare

  /** {@code route} needs an identity with {@code role} (or above); its calls that change state are audited. */
  public Route require(Role role, Route route) {
    route.putMetadata(RULE, role.id());
    return route.handler(guard(ctx -> {
      long startNs = System.nanoTime();
      String requestId = requestId(ctx);
      ctx.response().putHeader(REQUEST_ID, requestId);
      boolean changesState = !READS.contains(ctx.request().method());
      ctx.addEndHandler(ended -> {
        int status = ctx.response().getStatusCode();
        if (changesState || status == 401 || status == 403) {
          audit.record(ctx, route, role, requestId, startNs);
        }
      });
      check(ctx, role, HttpErrors::respond);
    }));
  }

  /** Reading and classifying: open, or a reader token when {@code CONVNET_AUTH_READ=reader}. */
  public Route read(Route route) {
    return read(route, HttpErrors::respond);
  }

  /**
   * As {@link #read(Route)}, a refusal written by {@code refuse}: the routes of the standard protocols
   * answer in their own error shape.
   */
  public Route read(Route route, BiConsumer<RoutingContext, Throwable> refuse) {
    route.putMetadata(RULE, "read");
    return readersOnly ? route.handler(guard(ctx -> check(ctx, Role.READER, refuse))) : route;
  }

  /** Never asks for a token: the web page (it is where a token is entered), liveness. */
  public Route open(Route route) {
    route.putMetadata(RULE, "open");
    return route;
  }

  /**
   * A platform handler runs before a body handler: a caller without the right token is refused
   * before the gateway reads (and buffers) what it sends.
   */
  private static PlatformHandler guard(Handler<RoutingContext> check) {
    return check::handle;
  }

  /** Fails when one of {@code routes} (those the route groups mounted) declared no rule. */
  public static void checkDeclared(List<Route> routes) {
    List<String> undeclared = routes.stream().filter(r -> r.metadata().get(RULE) == null)
        .map(r -> (r.methods() == null ? "" : r.methods() + " ") + label(r)).toList();
    if (!undeclared.isEmpty()) {
      throw new IllegalStateException("routes that declare no access rule (Access.require, read or open): "
          + undeclared);
    }
  }

  /** Adds a fact to this call's audit record, e.g. {@code note(ctx, "model", "cats-vs-dogs")}. */
  public static void note(RoutingContext ctx, String key, String value) {
    Map<String, String> notes = ctx.get(NOTES);
    if (notes == null) {
      notes = new HashMap<>();
      ctx.put(NOTES, notes);
    }
    notes.put(key, value == null ? "" : value);
  }

  /** Who made this call (the subject of its token or JWT), once a route that needs a role let it through. */
  public static String subject(RoutingContext ctx) {
    Identity identity = ctx.get(IDENTITY);
    return identity == null ? Identity.ANONYMOUS.subject() : identity.subject();
  }

  static String label(Route route) {
    return route.getName() != null ? route.getName() : String.valueOf(route.getPath());
  }

  boolean off() {
    return authenticator.off();
  }

  boolean readersOnly() {
    return readersOnly;
  }

  // ---- checking a call

  /**
   * A call outside the router (the gRPC services, all reads) as {@link #read} rules it, from the
   * value of its {@code authorization} metadata: succeeds, or fails with UNAUTHENTICATED or
   * PERMISSION_DENIED saying why.
   */
  public Future<Void> checkRead(String authorization) {
    return readersOnly ? admit(authorization, Role.READER, tried -> { }).mapEmpty() : Future.succeededFuture();
  }

  private void check(RoutingContext ctx, Role needed, BiConsumer<RoutingContext, Throwable> refuse) {
    Future<Identity> admitted = admit(ctx.request().getHeader("authorization"), needed,
        identity -> ctx.put(IDENTITY, identity));
    // While a JWT waits for the issuer's keys the body must wait too (for the body handler after us).
    boolean paused = !admitted.isComplete() && !ctx.request().isEnded();
    if (paused) {
      ctx.request().pause();
    }
    admitted.onComplete(ar -> {
      if (paused && !ctx.request().isEnded()) {
        ctx.request().resume();  // delivers on a later turn of the event loop, after the next handler is in place
      }
      if (ar.succeeded()) {
        ctx.next();
        return;
      }
      Refusal refusal = (Refusal) ar.cause();
      ctx.response().putHeader("www-authenticate", refusal.challenge);
      refuse.accept(ctx, refusal);
    });
  }

  /**
   * The identity behind {@code authorization} when it has {@code needed}'s role; else a failed
   * {@link Refusal} (counted). {@code seen} is told who tried: the identity, or what was tried.
   */
  private Future<Identity> admit(String authorization, Role needed, Consumer<Identity> seen) {
    return authenticator.authenticate(authorization, seen).transform(ar -> {
      if (ar.failed()) {
        unauthenticated.increment();
        return Future.failedFuture(new Refusal(ErrorCode.UNAUTHENTICATED, "the bearer token is not valid: "
            + ar.cause().getMessage(), ", error=\"invalid_token\""));
      }
      Identity identity = ar.result();
      seen.accept(identity);
      if (identity.may(needed)) {
        return Future.succeededFuture(identity);
      }
      if (identity.role() == null && identity.via().equals(Identity.ANONYMOUS.via())) {
        unauthenticated.increment();
        return Future.failedFuture(new Refusal(ErrorCode.UNAUTHENTICATED, "this call needs a bearer token with role "
            + needed.id() + " (send 'Authorization: Bearer <token>')" + (authenticator.hasCredentials() ? ""
            : "; this gateway has no tokens configured: set " + AccessSettings.TOKENS_FILE.name() + " (./run.sh "
            + "writes run/admin.token) or " + AccessSettings.JWKS_URL.name() + ", or " + AccessSettings.AUTH.name()
            + "=off for development"), ""));
      }
      denied.increment();
      return Future.failedFuture(new Refusal(ErrorCode.PERMISSION_DENIED, "this call needs role " + needed.id() + "; "
          + identity.subject() + " (" + identity.via() + ") has " + (identity.role() == null
          ? "no role" : "role " + identity.role().id()), ", error=\"insufficient_scope\""));
    });
  }

  /** A refused call: UNAUTHENTICATED or PERMISSION_DENIED, and the {@code WWW-Authenticate} challenge HTTP sends. */
  private static final class Refusal extends ServiceException {
    private static final long serialVersionUID = 1L;
    private final String challenge;

    Refusal(ErrorCode code, String message, String error) {
      super(code, message);
      this.challenge = "Bearer realm=\"" + REALM + "\"" + error;
    }
  }

  /** Who made the request (see {@link Authenticator#authenticate}). */
  Future<Identity> authenticate(RoutingContext ctx) {
    return authenticator.authenticate(ctx);
  }

  private static String requestId(RoutingContext ctx) {
    String given = ctx.request().getHeader(REQUEST_ID);
    return given != null && CLIENT_REQUEST_ID.matcher(given).matches() ? given : UUID.randomUUID().toString();
  }
}
