package io.convnet.gateway.access;

import io.convnet.kit.config.KitConfig;
import io.convnet.kit.http.HttpErrors;
import io.convnet.proto.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
  private static final Logger LOG = LoggerFactory.getLogger(Access.class);
  static final String REALM = "convnet";
  /** Route metadata: the rule a route declared ("admin", "trainer", "reader", "read", "open"). */
  static final String RULE = "convnet.access";
  static final String IDENTITY = "convnet.identity";
  static final String NOTES = "convnet.audit.notes";
  static final String REQUEST_ID = "x-request-id";
  private static final Pattern CLIENT_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  private static final Set<HttpMethod> READS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

  private final boolean off;
  private final boolean readersOnly;
  private final Tokens tokens;
  private final JwtVerifier jwt;
  private final AuditLog audit;
  private final Counter unauthenticated;
  private final Counter denied;

  Access(boolean off, boolean readersOnly, Tokens tokens, JwtVerifier jwt, AuditLog audit, MeterRegistry registry) {
    this.off = off;
    this.readersOnly = readersOnly;
    this.tokens = tokens;
    this.jwt = jwt;
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
    boolean off = switch (config.get(AccessSettings.AUTH)) {
      case "on" -> false;
      case "off" -> true;
      default -> throw new IllegalArgumentException(AccessSettings.AUTH.name() + " must be on or off");
    };
    boolean readersOnly = switch (config.get(AccessSettings.READ)) {
      case "open" -> false;
      case "reader" -> true;
      default -> throw new IllegalArgumentException(AccessSettings.READ.name() + " must be open or reader");
    };
    String file = config.get(AccessSettings.TOKENS_FILE);
    Tokens tokens = file.isEmpty() ? null : new Tokens(vertx, Path.of(file));
    String jwks = config.get(AccessSettings.JWKS_URL);
    JwtVerifier jwt = null;
    if (!jwks.isEmpty()) {
      String issuer = config.get(AccessSettings.JWT_ISSUER);
      String audience = config.get(AccessSettings.JWT_AUDIENCE);
      if (issuer.isEmpty() || audience.isEmpty()) {
        throw new IllegalArgumentException(AccessSettings.JWKS_URL.name() + " needs " + AccessSettings.JWT_ISSUER.name()
            + " and " + AccessSettings.JWT_AUDIENCE.name() + ": a JWT for another service must not pass");
      }
      jwt = new JwtVerifier(vertx, new JwtVerifier.Config(jwks, issuer, audience,
          config.get(AccessSettings.JWT_ROLE_CLAIM), config.get(AccessSettings.JWT_ROLE_PREFIX),
          config.getInt(AccessSettings.JWKS_REFRESH_MS)));
    }
    return new Access(off, readersOnly, tokens, jwt, audit, registry);
  }

  /** Loads the tokens and fetches the issuer's keys (failures are logged; calls are then refused). */
  public Future<Void> start(long reloadMs) {
    if (off) {
      LOG.warn("{}=off: every call is allowed, as admin, to anyone who reaches this gateway (development only)",
          AccessSettings.AUTH.name());
    } else if (tokens == null && jwt == null) {
      LOG.warn("no {} or {}: calls that change state are refused (401) until one is configured",
          AccessSettings.TOKENS_FILE.name(), AccessSettings.JWKS_URL.name());
    }
    return Future.join(tokens == null ? Future.succeededFuture() : tokens.start(reloadMs),
        jwt == null ? Future.succeededFuture() : jwt.start()).mapEmpty();
  }

  public void close() {
    if (tokens != null) {
      tokens.close();
    }
    if (jwt != null) {
      jwt.close();
    }
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
      check(ctx, role);
    }));
  }

  /** Reading and classifying: open, or a reader token when {@code CONVNET_AUTH_READ=reader}. */
  public Route read(Route route) {
    route.putMetadata(RULE, "read");
    return readersOnly ? route.handler(guard(ctx -> check(ctx, Role.READER))) : route;
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

  static String label(Route route) {
    return route.getName() != null ? route.getName() : String.valueOf(route.getPath());
  }

  boolean off() {
    return off;
  }

  boolean readersOnly() {
    return readersOnly;
  }

  // ---- checking a call

  private void check(RoutingContext ctx, Role needed) {
    Future<Identity> identified = authenticate(ctx);
    // While a JWT waits for the issuer's keys the body must wait too (for the body handler after us).
    boolean paused = !identified.isComplete() && !ctx.request().isEnded();
    if (paused) {
      ctx.request().pause();
    }
    identified.onComplete(ar -> {
      if (paused && !ctx.request().isEnded()) {
        ctx.request().resume();  // delivers on a later turn of the event loop, after the next handler is in place
      }
      if (ar.failed()) {
        refuseUnauthenticated(ctx, "the bearer token is not valid: " + ar.cause().getMessage(), true);
        return;
      }
      Identity identity = ar.result();
      ctx.put(IDENTITY, identity);
      if (identity.may(needed)) {
        ctx.next();
      } else if (identity.role() == null && identity.via().equals(Identity.ANONYMOUS.via())) {
        refuseUnauthenticated(ctx, "this call needs a bearer token with role " + needed.id()
            + " (send 'Authorization: Bearer <token>')" + (credentialsConfigured() ? "" : "; this gateway has no "
            + "tokens configured: set " + AccessSettings.TOKENS_FILE.name() + " (./run.sh writes run/admin.token) or "
            + AccessSettings.JWKS_URL.name() + ", or " + AccessSettings.AUTH.name() + "=off for development"), false);
      } else {
        denied.increment();
        ctx.response().putHeader("www-authenticate", "Bearer realm=\"" + REALM + "\", error=\"insufficient_scope\"");
        HttpErrors.respond(ctx, ErrorCode.PERMISSION_DENIED, "this call needs role " + needed.id() + "; "
            + identity.subject() + " (" + identity.via() + ") has " + (identity.role() == null
            ? "no role" : "role " + identity.role().id()));
      }
    });
  }

  /** A JWT check may complete on another context (when it waits for a key fetch): back onto the caller's. */
  private static Future<Identity> onCallersContext(Future<Identity> result) {
    Context context = Vertx.currentContext();
    if (context == null) {
      return result;
    }
    Promise<Identity> promise = Promise.promise();
    result.onComplete(ar -> {
      if (Vertx.currentContext() == context) {
        promise.handle(ar);
      } else {
        context.runOnContext(v -> promise.handle(ar));
      }
    });
    return promise.future();
  }

  private boolean credentialsConfigured() {
    return tokens != null || jwt != null;
  }

  private void refuseUnauthenticated(RoutingContext ctx, String message, boolean tokenSent) {
    unauthenticated.increment();
    ctx.response().putHeader("www-authenticate", "Bearer realm=\"" + REALM + "\""
        + (tokenSent ? ", error=\"invalid_token\"" : ""));
    HttpErrors.respond(ctx, ErrorCode.UNAUTHENTICATED, message);
  }

  /**
   * The identity behind the request's bearer token: {@link Identity#ANONYMOUS} without one;
   * failed (with a reason for the client) for a malformed header or a token that is not valid.
   */
  Future<Identity> authenticate(RoutingContext ctx) {
    if (off) {
      return Future.succeededFuture(Identity.AUTH_OFF);
    }
    String header = ctx.request().getHeader("authorization");
    if (header == null || header.isBlank()) {
      return Future.succeededFuture(Identity.ANONYMOUS);
    }
    String[] parts = header.trim().split("\\s+", 2);
    if (parts.length != 2 || !parts[0].equalsIgnoreCase("bearer")) {
      ctx.put(IDENTITY, new Identity("(malformed Authorization header)", null, "none"));
      return Future.failedFuture("the Authorization header must be 'Bearer <token>'");
    }
    String token = parts[1];
    if (jwt != null && token.chars().filter(c -> c == '.').count() == 2) {
      ctx.put(IDENTITY, new Identity("(invalid JWT)", null, "jwt"));
      return onCallersContext(jwt.verify(token));
    }
    ctx.put(IDENTITY, new Identity("(invalid token)", null, "token"));
    return tokens == null ? Future.failedFuture("this gateway has no token file (" + AccessSettings.TOKENS_FILE.name()
        + ")") : tokens.find(token).map(Future::succeededFuture)
        .orElseGet(() -> Future.failedFuture("unknown or revoked"));
  }

  private static String requestId(RoutingContext ctx) {
    String given = ctx.request().getHeader(REQUEST_ID);
    return given != null && CLIENT_REQUEST_ID.matcher(given).matches() ? given : UUID.randomUUID().toString();
  }
}
