package io.convnet.gateway.access;

import io.convnet.kit.config.KitConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who made a request, from its {@code Authorization: Bearer} token: a token of the token file, or
 * (when an issuer is configured) an OIDC JWT, told apart by the JWT's two dots.
 */
final class Authenticator {
  private static final Logger LOG = LoggerFactory.getLogger(Authenticator.class);

  private final boolean off;
  private final Tokens tokens;
  private final JwtVerifier jwt;

  /** @param off {@code CONVNET_AUTH=off}; {@code tokens} and {@code jwt} null when not configured */
  Authenticator(boolean off, Tokens tokens, JwtVerifier jwt) {
    this.off = off;
    this.tokens = tokens;
    this.jwt = jwt;
  }

  /** As {@link AccessSettings} configure it; IllegalArgumentException for settings that make no sense. */
  static Authenticator fromConfig(Vertx vertx, KitConfig config) {
    boolean off = switch (config.get(AccessSettings.AUTH)) {
      case "on" -> false;
      case "off" -> true;
      default -> throw new IllegalArgumentException(AccessSettings.AUTH.name() + " must be on or off");
    };
    String file = config.get(AccessSettings.TOKENS_FILE);
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
    return new Authenticator(off, file.isEmpty() ? null : new Tokens(vertx, Path.of(file)), jwt);
  }

  /** Loads the tokens and fetches the issuer's keys (failures are logged; calls are then refused). */
  Future<Void> start(long reloadMs) {
    if (off) {
      LOG.warn("{}=off: every call is allowed, as admin, to anyone who reaches this gateway (development only)",
          AccessSettings.AUTH.name());
    } else if (!hasCredentials()) {
      LOG.warn("no {} or {}: calls that change state are refused (401) until one is configured",
          AccessSettings.TOKENS_FILE.name(), AccessSettings.JWKS_URL.name());
    }
    return Future.join(tokens == null ? Future.succeededFuture() : tokens.start(reloadMs),
        jwt == null ? Future.succeededFuture() : jwt.start()).mapEmpty();
  }

  void close() {
    if (tokens != null) {
      tokens.close();
    }
    if (jwt != null) {
      jwt.close();
    }
  }

  boolean off() {
    return off;
  }

  /** False when no token could ever be valid (no token file, no issuer). */
  boolean hasCredentials() {
    return tokens != null || jwt != null;
  }

  /** As {@link #authenticate(String, Consumer)} for an HTTP request, what was tried noted on its context. */
  Future<Identity> authenticate(RoutingContext ctx) {
    return authenticate(ctx.request().getHeader("authorization"), tried -> ctx.put(Access.IDENTITY, tried));
  }

  /**
   * The identity behind a bearer token ({@code authorization}: the value of the HTTP header or of the
   * gRPC metadata): {@link Identity#ANONYMOUS} without one; failed (with a reason for the client) for
   * a malformed value or a token that is not valid, {@code tried} then told what was tried (for the
   * audit log). Completes on the caller's context.
   */
  Future<Identity> authenticate(String authorization, Consumer<Identity> tried) {
    if (off) {
      return Future.succeededFuture(Identity.AUTH_OFF);
    }
    if (authorization == null || authorization.isBlank()) {
      return Future.succeededFuture(Identity.ANONYMOUS);
    }
    String[] parts = authorization.trim().split("\\s+", 2);
    if (parts.length != 2 || !parts[0].equalsIgnoreCase("bearer")) {
      tried.accept(new Identity("(malformed Authorization header)", null, "none"));
      return Future.failedFuture("the Authorization header must be 'Bearer <token>'");
    }
    String token = parts[1];
    if (jwt != null && token.chars().filter(c -> c == '.').count() == 2) {
      tried.accept(new Identity("(invalid JWT)", null, "jwt"));
      return onCallersContext(jwt.verify(token));
    }
    tried.accept(new Identity("(invalid token)", null, "token"));
    if (tokens == null) {
      return Future.failedFuture("this gateway has no token file (" + AccessSettings.TOKENS_FILE.name() + ")");
    }
    return tokens.find(token).map(Future::succeededFuture).orElseGet(() -> Future.failedFuture("unknown or revoked"));
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
}
