package io.convnet.gateway.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.convnet.gateway.GatewayMain;
import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kit.launch.RunningService;
import io.convnet.kit.testing.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.math.BigInteger;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Bearer JWTs from an OIDC issuer that the test plays: its JWKS is served by a Vert.x HTTP server
 * on loopback, its tokens signed with vertx-auth-jwt from the test's own RSA keys.
 */
@ExtendWith(KafkaBrokerExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JwtAccessTest {
  static final String ISSUER = "https://issuer.test/realms/convnet";
  static final String AUDIENCE = "convnet";
  static final String JOB = AccessTest.JOB;

  static Vertx vertx;
  static HttpServer issuer;
  static final List<JsonObject> published = new CopyOnWriteArrayList<>();
  static final AtomicInteger jwksRequests = new AtomicInteger();
  static JWTAuth signer;
  static JWTAuth impostor;
  static RunningService gateway;
  static long gatewayStartedMs;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    KeyPair key = rsa();
    published.add(jwk("k1", key));
    signer = signer("k1", key);
    impostor = signer("k1", rsa());  // same key id, another key: its signatures must not verify
    issuer = TestServices.await(vertx.createHttpServer().requestHandler(req -> {
      jwksRequests.incrementAndGet();
      req.response().putHeader("content-type", "application/json")
          .end(new JsonObject().put("keys", new JsonArray(List.copyOf(published))).encode());
    }).listen(0, "127.0.0.1"));
    gateway = TestServices.start(GatewayMain.DEFINITION, Map.of(
        AccessSettings.JWKS_URL.name(), "http://127.0.0.1:" + issuer.actualPort() + "/protocol/openid-connect/certs",
        AccessSettings.JWT_ISSUER.name(), ISSUER,
        AccessSettings.JWT_AUDIENCE.name(), AUDIENCE,
        AccessSettings.JWT_ROLE_CLAIM.name(), "realm_access.roles",
        AccessSettings.JWT_ROLE_PREFIX.name(), "convnet-"));
    gatewayStartedMs = System.currentTimeMillis();
    AccessTest.awaitReady(gateway);
  }

  @AfterAll
  static void stop() {
    TestServices.stop(gateway);
    if (vertx != null) {
      TestServices.await(vertx.close());
    }
  }

  static KeyPair rsa() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    return g.generateKeyPair();
  }

  /** The public half as the issuer's JWKS lists it. */
  static JsonObject jwk(String kid, KeyPair key) {
    RSAPublicKey pub = (RSAPublicKey) key.getPublic();
    return new JsonObject().put("kty", "RSA").put("kid", kid).put("use", "sig").put("alg", "RS256")
        .put("n", b64(unsigned(pub.getModulus()))).put("e", b64(unsigned(pub.getPublicExponent())));
  }

  static JWTAuth signer(String kid, KeyPair key) {
    String pem = "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
    return JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("RS256")
        .setId(kid).setBuffer(pem)));
  }

  static byte[] unsigned(BigInteger n) {
    byte[] b = n.toByteArray();
    return b[0] == 0 ? Arrays.copyOfRange(b, 1, b.length) : b;
  }

  static String b64(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  static JsonObject claims(String... roles) {
    return new JsonObject().put("realm_access", new JsonObject().put("roles", new JsonArray(List.of(roles))))
        .put("preferred_username", "alice");
  }

  static JWTOptions options() {
    return new JWTOptions().setAlgorithm("RS256").setIssuer(ISSUER).setAudience(List.of(AUDIENCE, "account"))
        .setSubject("alice").setExpiresInSeconds(300);
  }

  static String jwt(JsonObject claims, JWTOptions options) {
    return signer.generateToken(claims, options);
  }

  static HttpResponse<String> submit(String jwt) {
    return AccessTest.call(gateway, "POST", "/v1/training-jobs", JOB, jwt, null);
  }

  static String refusal(HttpResponse<String> r, int status) {
    return AccessTest.error(r, status, status == 401 ? "UNAUTHENTICATED" : "PERMISSION_DENIED").getString("message");
  }

  @Test
  @Order(1)
  void aValidJwtWithARoleIsAcceptedAndAuditedAsItsSubject() throws Exception {
    String trainer = jwt(claims("offline_access", "convnet-trainer"), options());
    HttpResponse<String> r = AccessTest.call(gateway, "POST", "/v1/training-jobs", JOB, trainer, "jwt-1");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    JsonObject me = new JsonObject(AccessTest.call(gateway, "GET", "/v1/whoami", null, trainer, null).body());
    assertThat(me.getString("subject")).isEqualTo("alice");
    assertThat(me.getString("role")).isEqualTo("trainer");
    assertThat(me.getString("via")).isEqualTo("jwt");
    assertThat(refusal(AccessTest.call(gateway, "GET", "/v1/audit", null, trainer, null), 403))
        .isEqualTo("this call needs role admin; alice (jwt) has role trainer");

    String admin = jwt(claims("convnet-trainer", "convnet-admin"), options());
    AccessTest.await(() -> {
      HttpResponse<String> audit = AccessTest.call(gateway, "GET", "/v1/audit", null, admin, null);
      return audit.statusCode() == 200 && new JsonObject(audit.body()).getJsonArray("records").stream()
          .map(JsonObject.class::cast).anyMatch(rec -> rec.getString("requestId").equals("jwt-1")
              && rec.getString("subject").equals("alice") && rec.getString("via").equals("jwt")
              && rec.getString("role").equals("trainer") && rec.getInteger("status") == 201);
    }, "the JWT's call in the audit log");
  }

  @Test
  @Order(2)
  void expiredForeignForgedAndRolelessJwtsAreRefused() {
    long now = System.currentTimeMillis() / 1000;
    JWTOptions noExpiry = new JWTOptions().setAlgorithm("RS256").setIssuer(ISSUER).setAudience(List.of(AUDIENCE))
        .setSubject("alice");
    assertThat(refusal(submit(jwt(claims("convnet-admin").put("exp", now - 3600), noExpiry)), 401))
        .isEqualTo("the bearer token is not valid: the JWT has expired or is not valid yet (exp, nbf, iat)");
    assertThat(refusal(submit(jwt(claims("convnet-admin"), options().setAudience(List.of("another-service")))), 401))
        .isEqualTo("the bearer token is not valid: the JWT is not meant for this service (aud)");
    assertThat(refusal(submit(jwt(claims("convnet-admin"), options().setIssuer("https://evil.test"))), 401))
        .isEqualTo("the bearer token is not valid: the JWT comes from another issuer (iss)");
    assertThat(refusal(submit(impostor.generateToken(claims("convnet-admin"), options())), 401))
        .isEqualTo("the bearer token is not valid: the JWT's signature does not verify");
    assertThat(refusal(submit(jwt(claims("convnet-admin"), noExpiry)), 401))
        .isEqualTo("the bearer token is not valid: the JWT has no expiry (exp)");
    HttpResponse<String> roleless = submit(jwt(claims("offline_access", "admin"), options()));
    assertThat(refusal(roleless, 403)).isEqualTo("this call needs role trainer; alice (jwt) has no role");

    // Unsigned and shared-secret tokens are refused before any key is looked at.
    String header = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    String body = b64(new JsonObject().put("sub", "mallory").put("iss", ISSUER).put("aud", AUDIENCE)
        .put("exp", now + 300).put("realm_access", new JsonObject().put("roles", new JsonArray().add("convnet-admin")))
        .encode().getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> none = submit(header + "." + body + ".");
    assertThat(refusal(none, 401)).isEqualTo("the bearer token is not valid: not a signed JWT");
    assertThat(none.headers().allValues("www-authenticate"))
        .containsExactly("Bearer realm=\"convnet\", error=\"invalid_token\"");
    String hs = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"k1\"}".getBytes(StandardCharsets.UTF_8));
    assertThat(refusal(submit(hs + "." + body + "." + b64(new byte[32])), 401))
        .isEqualTo("the bearer token is not valid: JWT algorithm 'HS256' is not accepted");
  }

  @Test
  @Order(3)
  void aKeyTheIssuerAddsLaterIsFetchedWhenATokenNamesIt() throws Exception {
    KeyPair rotated = rsa();
    JWTAuth newSigner = signer("k2", rotated);
    String token = newSigner.generateToken(claims("convnet-trainer"), options());
    published.add(jwk("k2", rotated));
    // At most one fetch per 10 s for unknown key ids: wait for that much since the gateway's first fetch.
    long wait = gatewayStartedMs + JwtVerifier.MIN_REFETCH_MS + 500 - System.currentTimeMillis();
    if (wait > 0) {
      Thread.sleep(wait);
    }
    int fetchesBefore = jwksRequests.get();
    HttpResponse<String> r = submit(token);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    assertThat(jwksRequests.get()).isEqualTo(fetchesBefore + 1);
    // A key id nobody lists is refused, without another fetch so soon.
    String unknown = signer("k9", rotated).generateToken(claims("convnet-trainer"), options());
    assertThat(refusal(submit(unknown), 401))
        .isEqualTo("the bearer token is not valid: the JWT is signed with a key the issuer does not list");
    assertThat(jwksRequests.get()).isEqualTo(fetchesBefore + 1);
  }
}
