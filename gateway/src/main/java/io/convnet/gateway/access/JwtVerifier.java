package io.convnet.gateway.access;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.NoSuchKeyIdException;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bearer JWTs from an OIDC issuer, checked with vertx-auth-jwt: signature against the issuer's
 * JWKS (fetched asynchronously, cached, fetched again every refresh interval and, at most every
 * {@link #MIN_REFETCH_MS}, when a token names a key id the cache lacks), {@code iss}, {@code aud},
 * {@code exp} (required) and {@code nbf}. The role comes from a claim (a dotted path; a string, a
 * space-separated string or an array), the highest known role named in it winning.
 */
final class JwtVerifier {
  private static final Logger LOG = LoggerFactory.getLogger(JwtVerifier.class);
  static final long MIN_REFETCH_MS = 10_000;
  static final int LEEWAY_SECONDS = 30;
  /** Signed with a key pair only: never "none", never a shared secret (the JWKS is public). */
  private static final Set<String> ALGORITHMS = Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
      "ES256", "ES384", "ES512", "EdDSA");

  /** What a JWT must satisfy; {@code rolePrefix} is stripped from role names in the claim. */
  record Config(String jwksUrl, String issuer, String audience, String roleClaim, String rolePrefix,
                long refreshMs) {
  }

  private final Vertx vertx;
  private final Config config;
  private final HttpClient http;
  /** Null until a JWKS with at least one key was fetched: an empty provider would accept unsigned tokens. */
  private volatile JWTAuth provider;
  private volatile long lastFetchMs;
  private Future<Void> fetching;  // guarded by this
  private long timer = -1;

  JwtVerifier(Vertx vertx, Config config) {
    this.vertx = vertx;
    this.config = config;
    this.http = vertx.createHttpClient();
  }

  /** Fetches the keys now and every refresh interval; completes after the first attempt, whatever it found. */
  Future<Void> start() {
    return fetch().onComplete(ar -> timer = vertx.setPeriodic(config.refreshMs(), t -> fetch()));
  }

  void close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    http.close();
  }

  /** The identity in {@code jwt}; fails with a reason a client may read (expired, wrong audience...). */
  Future<Identity> verify(String jwt) {
    String problem = headerProblem(jwt);
    if (problem != null) {
      return Future.failedFuture(problem);
    }
    return authenticate(jwt).recover(e -> {
      boolean unknownKey = provider == null || e instanceof NoSuchKeyIdException;
      if (unknownKey && System.currentTimeMillis() - lastFetchMs >= MIN_REFETCH_MS) {
        return fetch().compose(v -> authenticate(jwt));  // the issuer may have rotated its keys
      }
      return Future.failedFuture(e);
    }).recover(e -> Future.failedFuture(reason(e))).compose(this::identity);
  }

  /** What was wrong with a token, for the client: never the expected values or a stack. */
  private static String reason(Throwable e) {
    String m = String.valueOf(e.getMessage());
    if (e instanceof NoSuchKeyIdException) {
      return "the JWT is signed with a key the issuer does not list";
    } else if (m.contains("Signature verification failed")) {
      return "the JWT's signature does not verify";
    } else if (m.contains("audience")) {
      return "the JWT is not meant for this service (aud)";
    } else if (m.contains("issuer")) {
      return "the JWT comes from another issuer (iss)";
    } else if (m.contains("expired")) {
      return "the JWT has expired or is not valid yet (exp, nbf, iat)";
    } else if (m.contains("not available")) {
      return m;
    }
    return "the JWT is not valid";
  }

  private Future<User> authenticate(String jwt) {
    JWTAuth p = provider;
    if (p == null) {
      return Future.failedFuture("the issuer's signing keys are not available (JWKS not fetched yet)");
    }
    return p.authenticate(new TokenCredentials(jwt));
  }

  private Future<Identity> identity(User user) {
    JsonObject claims = user.attributes().getJsonObject("accessToken", new JsonObject());
    if (!claims.containsKey("exp")) {
      return Future.failedFuture("the JWT has no expiry (exp)");
    }
    String subject = claims.getString("sub", "");
    if (subject.isBlank()) {
      return Future.failedFuture("the JWT has no subject (sub)");
    }
    return Future.succeededFuture(new Identity(subject, role(claims), "jwt"));
  }

  /** The highest role named in the role claim; null when it names none. */
  Role role(JsonObject claims) {
    Object value = claims;
    for (String part : config.roleClaim().split("\\.")) {
      value = value instanceof JsonObject o ? o.getValue(part) : null;
    }
    List<String> names = new ArrayList<>();
    if (value instanceof String s) {
      names.addAll(List.of(s.trim().split("\\s+")));
    } else if (value instanceof JsonArray a) {
      a.forEach(v -> names.add(String.valueOf(v)));
    }
    Role best = null;
    for (String name : names) {
      if (name.startsWith(config.rolePrefix())) {
        Role r = Role.parse(name.substring(config.rolePrefix().length())).orElse(null);
        best = r != null && (best == null || r.includes(best)) ? r : best;
      }
    }
    return best;
  }

  /** Refuses unsigned tokens and algorithms we do not take before any key is looked at. */
  private static String headerProblem(String jwt) {
    String[] parts = jwt.split("\\.", -1);
    if (parts.length != 3 || parts[2].isEmpty()) {
      return "not a signed JWT";
    }
    try {
      JsonObject header = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8));
      String alg = header.getString("alg", "");
      return ALGORITHMS.contains(alg) ? null : "JWT algorithm '" + alg + "' is not accepted";
    } catch (RuntimeException e) {
      return "not a JWT (its header does not decode)";
    }
  }

  /** One fetch at a time; a failed or empty fetch keeps the keys fetched before. */
  private synchronized Future<Void> fetch() {
    if (fetching != null) {
      return fetching;
    }
    lastFetchMs = System.currentTimeMillis();
    Promise<Void> done = Promise.promise();
    fetching = done.future();
    http.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(config.jwksUrl())
            .setTimeout(10_000).putHeader("accept", "application/json"))
        .compose(request -> request.send())
        .compose(response -> response.statusCode() == 200 ? response.body()
            : Future.failedFuture("HTTP " + response.statusCode()))
        .map(body -> {
          JsonArray keys = body.toJsonObject().getJsonArray("keys", new JsonArray());
          List<JsonObject> signing = new ArrayList<>();
          for (int i = 0; i < keys.size(); i++) {
            JsonObject key = keys.getJsonObject(i);
            if (!"enc".equals(key.getString("use")) && ALGORITHMS.contains(key.getString("alg", "RS256"))) {
              signing.add(key);
            }
          }
          if (signing.isEmpty()) {
            throw new IllegalStateException("it holds no signing key");
          }
          provider = JWTAuth.create(vertx, new JWTAuthOptions().setJwks(signing).setJWTOptions(new JWTOptions()
              .setIssuer(config.issuer()).setAudience(List.of(config.audience())).setLeeway(LEEWAY_SECONDS)));
          LOG.info("JWKS {}: {} signing keys", config.jwksUrl(), signing.size());
          return (Void) null;
        })
        .recover(e -> {
          LOG.warn("JWKS {} could not be fetched ({}); {}", config.jwksUrl(), e.getMessage(),
              provider == null ? "JWTs are refused until it is" : "the keys fetched before stay in use");
          return Future.succeededFuture();
        })
        .onComplete(ar -> {
          fetched();
          done.complete();
        });
    return done.future();
  }

  private synchronized void fetched() {
    fetching = null;
  }
}
