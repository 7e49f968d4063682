package io.convnet.gateway.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import inference.GRPCInferenceServiceGrpc;
import inference.GrpcPredictV2.ServerLiveRequest;
import inference.GrpcPredictV2.ServerMetadataRequest;
import inference.GrpcPredictV2.ServerReadyRequest;
import io.convnet.gateway.GatewayMain;
import io.convnet.gateway.LabelsStandIn;
import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kit.launch.RunningService;
import io.convnet.kit.testing.TestServices;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.PredictionServiceGrpc;

/**
 * Bearer tokens and roles on a real gateway against the test broker: every route that needs a
 * role, with no token, a bad one, each role; reading with and without reader mode; the token
 * file read again while the gateway runs; and every call read back from the audit log, on the
 * gateway that took it and on another one.
 */
@ExtendWith(KafkaBrokerExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
public class AccessTest {
  static final Duration WAIT = Duration.ofSeconds(20);
  static final String JOB = "{\"epochs\": 1, \"model\": \"access-test\", \"dataDir\": \"cats-vs-dogs\"}";

  static TestTokens tokens;
  /** Reading open (the default). */
  static RunningService gateway;
  /** Same tokens, CONVNET_AUTH_READ=reader: the other instance that must see the same audit log. */
  static RunningService readers;
  /** Answers the label routes' changes, as a trainer does. */
  static RunningService labels;
  /** What each audited call of test 1 must have left in the audit log, by request id. */
  static final Map<String, Expected> audited = new LinkedHashMap<>();

  record Expected(String subject, String role, String via, String method, String route, int status) {
  }

  @BeforeAll
  static void start() throws Exception {
    tokens = TestTokens.write(Files.createTempDirectory("access-test"));
    gateway = TestServices.start(GatewayMain.DEFINITION, tokens.env());
    Map<String, String> readerEnv = new HashMap<>(tokens.env());
    readerEnv.put(AccessSettings.READ.name(), "reader");
    readers = TestServices.start(GatewayMain.DEFINITION, readerEnv);
    labels = TestServices.start(LabelsStandIn.definition(), Map.of());
    awaitReady(gateway);
    awaitReady(readers);
  }

  @AfterAll
  static void stop() {
    TestServices.stop(gateway, readers, labels);
  }

  public static void awaitReady(RunningService service) throws InterruptedException {
    await(() -> TestServices.get(service.httpPort(), "/health/ready").statusCode() == 200, "ready");
  }

  public static void await(Supplier<Boolean> condition, String what) throws InterruptedException {
    long until = System.nanoTime() + WAIT.toNanos();
    while (!condition.get()) {
      assertThat(System.nanoTime()).as(what).isLessThan(until);
      Thread.sleep(50);
    }
  }

  /** A call with an optional bearer token (a full Authorization value when it has a blank) and request id. */
  public static HttpResponse<String> call(RunningService gw, String method, String path, String body, String token,
                                   String requestId) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.httpPort() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("content-type", "application/json");
    }
    if (token != null) {
      b.header("authorization", token.contains(" ") ? token : TestTokens.bearer(token));
    }
    if (requestId != null) {
      b.header("x-request-id", requestId);
    }
    return TestServices.send(b.build());
  }

  public static JsonObject error(HttpResponse<String> r, int status, String code) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("content-type")).contains("application/json");
    JsonObject error = new JsonObject(r.body()).getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo(code);
    assertThat(error.getInteger("status")).isEqualTo(status);
    return error;
  }

  /** A route that needs a role, and how to call it ({@code call}: a path, ":id" for the job's id). */
  record Guarded(String method, String route, Role role, String body, int success, String call) {
    Guarded(String method, String route, Role role, String body, int success) {
      this(method, route, role, body, success, route);
    }

    String path(String jobId) {
      return call.replace(":id", jobId);
    }
  }

  static final List<Guarded> GUARDED = List.of(
      new Guarded("POST", "/v1/training-jobs", Role.TRAINER, JOB, 201),
      new Guarded("DELETE", "/v1/training-jobs/:id", Role.TRAINER, null, 202),
      new Guarded("GET", "/v1/audit", Role.ADMIN, null, 200),
      new Guarded("PUT", "/v1/models/{name}/labels/{label}", Role.ADMIN, "{\"version\": 2}", 200,
          "/v1/models/echo/labels/canary"),
      new Guarded("DELETE", "/v1/models/{name}/labels/{label}", Role.ADMIN, null, 200, "/v1/models/echo/labels/canary"),
      new Guarded("DELETE", "/v1/models/{name}/versions/{v}", Role.ADMIN, null, 200, "/v1/models/echo/versions/1"),
      new Guarded("PUT", "/v1/models/{name}/policy", Role.ADMIN, "{\"mode\": \"canary\", \"canaryShare\": 0.2}", 200,
          "/v1/models/echo/policy"));

  @Test
  @Order(1)
  void everyRouteThatNeedsARoleRefusesAMissingOrBadTokenAndALowerRole() {
    // This test calls every route the gateway declares with a role: a new one must be added here.
    Set<String> declared = gateway.kit().router().getRoutes().stream()
        .filter(r -> List.of("trainer", "admin").contains(String.valueOf(r.metadata().get(Access.RULE))))
        .map(r -> r.methods().iterator().next() + " " + Access.label(r) + " " + r.metadata().get(Access.RULE))
        .collect(Collectors.toSet());
    assertThat(declared).containsExactlyInAnyOrderElementsOf(GUARDED.stream()
        .map(g -> g.method() + " " + g.route() + " " + g.role().id()).toList());

    String jobId = new JsonObject(call(gateway, "POST", "/v1/training-jobs", JOB, tokens.trainer(), null).body())
        .getString("id");
    int n = 0;
    for (Guarded g : GUARDED) {
      String path = g.path(jobId);
      String id = "matrix-" + n++;
      HttpResponse<String> none = call(gateway, g.method(), path, g.body(), null, id);
      assertThat(error(none, 401, "UNAUTHENTICATED").getString("message"))
          .contains("needs a bearer token with role " + g.role().id(), "Authorization: Bearer");
      assertThat(none.headers().allValues("www-authenticate")).containsExactly("Bearer realm=\"convnet\"");
      assertThat(none.headers().firstValue("x-request-id")).contains(id);
      audited.put(id, new Expected("anonymous", "", "none", g.method(), g.route(), 401));

      id = "matrix-" + n++;
      HttpResponse<String> bad = call(gateway, g.method(), path, g.body(), "cnv_" + "0".repeat(64), id);
      assertThat(error(bad, 401, "UNAUTHENTICATED").getString("message"))
          .isEqualTo("the bearer token is not valid: unknown or revoked");
      assertThat(bad.headers().allValues("www-authenticate"))
          .containsExactly("Bearer realm=\"convnet\", error=\"invalid_token\"");
      audited.put(id, new Expected("(invalid token)", "", "token", g.method(), g.route(), 401));

      id = "matrix-" + n++;
      HttpResponse<String> basic = call(gateway, g.method(), path, g.body(), "Basic YWRtaW46YWRtaW4=", id);
      assertThat(error(basic, 401, "UNAUTHENTICATED").getString("message")).contains("must be 'Bearer <token>'");

      for (Role role : Role.values()) {
        id = "matrix-" + n++;
        HttpResponse<String> r = call(gateway, g.method(), path, g.body(), tokens.token(role.id()), id);
        if (role.includes(g.role())) {
          assertThat(r.statusCode()).as(role + " on " + g.method() + " " + path + ": " + r.body()).isEqualTo(g.success());
          if (!g.method().equals("GET")) {
            audited.put(id, new Expected(role.id(), role.id(), "token", g.method(), g.route(), g.success()));
          }
        } else {
          assertThat(error(r, 403, "PERMISSION_DENIED").getString("message"))
              .isEqualTo("this call needs role " + g.role().id() + "; " + role.id() + " (token) has role " + role.id());
          assertThat(r.headers().allValues("www-authenticate"))
              .containsExactly("Bearer realm=\"convnet\", error=\"insufficient_scope\"");
          audited.put(id, new Expected(role.id(), role.id(), "token", g.method(), g.route(), 403));
        }
      }
    }
  }

  @Test
  @Order(2)
  void theAuditLogListsEachCallNewestFirstOnEveryGateway() throws Exception {
    for (RunningService gw : List.of(gateway, readers)) {
      Map<String, JsonObject> byId = new HashMap<>();
      await(() -> {
        HttpResponse<String> r = call(gw, "GET", "/v1/audit?limit=1000", null, tokens.admin(), null);
        byId.clear();
        if (r.statusCode() == 200) {
          new JsonObject(r.body()).getJsonArray("records").forEach(o -> {
            JsonObject rec = (JsonObject) o;
            byId.put(rec.getString("requestId"), rec);
          });
        }
        return byId.keySet().containsAll(audited.keySet());
      }, "every audited call in the audit log of " + gw.kit().instanceId());
      audited.forEach((id, e) -> {
        JsonObject rec = byId.get(id);
        assertThat(rec.getString("subject")).as(id).isEqualTo(e.subject());
        assertThat(java.util.Objects.toString(rec.getString("role"), "")).as(id).isEqualTo(e.role());
        assertThat(rec.getString("via")).as(id).isEqualTo(e.via());
        assertThat(rec.getString("method")).as(id).isEqualTo(e.method());
        assertThat(rec.getString("route")).as(id).isEqualTo(e.route());
        assertThat(rec.getInteger("status")).as(id).isEqualTo(e.status());
        assertThat(rec.getString("instance")).as(id).isEqualTo(gateway.kit().instanceId());
        assertThat(rec.getString("remote")).as(id).isEqualTo("127.0.0.1");
        assertThat(Instant.parse(rec.getString("time")).toEpochMilli()).isEqualTo(rec.getLong("timestampMs"));
        if (e.status() == 401) {
          assertThat(rec.getString("error")).isEqualTo("UNAUTHENTICATED");
        } else if (e.status() == 403) {
          assertThat(rec.getString("error")).isEqualTo("PERMISSION_DENIED");
        } else {
          assertThat(rec.containsKey("error")).isFalse();
        }
      });
    }
    // What a submission names: the job it created (its location) and the model it trains.
    JsonObject submitted = new JsonObject(call(gateway, "POST", "/v1/training-jobs", JOB, tokens.admin(), "submit-1")
        .body());
    JsonObject cancelled = new JsonObject(call(gateway, "DELETE", "/v1/training-jobs/" + submitted.getString("id"),
        null, tokens.trainer(), "cancel-1").body());
    assertThat(cancelled.getBoolean("cancelRequested")).isTrue();
    JsonArray newest = awaitAudit(2);
    assertThat(newest.getJsonObject(0).getString("requestId")).isEqualTo("cancel-1");
    assertThat(newest.getJsonObject(0).getJsonObject("details").getMap())
        .containsEntry("job", submitted.getString("id")).containsEntry("id", submitted.getString("id"));
    assertThat(newest.getJsonObject(0).getString("target")).isEqualTo("/v1/training-jobs/" + submitted.getString("id"));
    assertThat(newest.getJsonObject(1).getString("requestId")).isEqualTo("submit-1");
    assertThat(newest.getJsonObject(1).getString("target")).isEqualTo("/v1/training-jobs/" + submitted.getString("id"));
    assertThat(newest.getJsonObject(1).getJsonObject("details").getMap())
        .containsEntry("job", submitted.getString("id")).containsEntry("model", "access-test");
    assertThat(newest.getJsonObject(1).getString("subject")).isEqualTo("admin");
    assertThat(newest.getJsonObject(0).getLong("timestampMs"))
        .isGreaterThanOrEqualTo(newest.getJsonObject(1).getLong("timestampMs"));

    String future = Instant.now().plusSeconds(3600).toString();
    assertThat(new JsonObject(call(gateway, "GET", "/v1/audit?since=" + future, null, tokens.admin(), null).body())
        .getInteger("count")).isZero();
    assertThat(new JsonObject(call(gateway, "GET", "/v1/audit?limit=1&since=" + (System.currentTimeMillis() - 600_000),
        null, tokens.admin(), null).body()).getInteger("count")).isEqualTo(1);
    error(call(gateway, "GET", "/v1/audit?limit=0", null, tokens.admin(), null), 400, "INVALID_ARGUMENT");
    error(call(gateway, "GET", "/v1/audit?since=yesterday", null, tokens.admin(), null), 400, "INVALID_ARGUMENT");
    error(call(gateway, "GET", "/v1/audit?user=x", null, tokens.admin(), null), 400, "INVALID_ARGUMENT");
  }

  /** The newest {@code n} records once the last call of this test has been recorded. */
  static JsonArray awaitAudit(int n) throws InterruptedException {
    JsonArray[] records = new JsonArray[1];
    await(() -> {
      records[0] = new JsonObject(call(gateway, "GET", "/v1/audit?limit=" + n, null, tokens.admin(), null).body())
          .getJsonArray("records");
      return records[0].size() == n && records[0].getJsonObject(0).getString("requestId").equals("cancel-1");
    }, "the last call in the audit log");
    return records[0];
  }

  @Test
  @Order(3)
  void readingIsOpenByDefaultAndNeedsAReaderTokenWhenConfigured() {
    assertThat(call(gateway, "GET", "/v1/training-jobs", null, null, null).statusCode()).isEqualTo(200);
    // a token a reading route does not need is not looked at
    assertThat(call(gateway, "GET", "/v1/training-jobs", null, "not-a-token", null).statusCode()).isEqualTo(200);

    HttpResponse<String> none = call(readers, "GET", "/v1/training-jobs", null, null, null);
    assertThat(error(none, 401, "UNAUTHENTICATED").getString("message")).contains("role reader");
    error(call(readers, "GET", "/v1/training-jobs", null, "cnv_nope", null), 401, "UNAUTHENTICATED");
    for (Role role : Role.values()) {
      assertThat(call(readers, "GET", "/v1/training-jobs", null, tokens.token(role.id()), null).statusCode())
          .as(role.id()).isEqualTo(200);
    }
    // Classifying is a read: refused before the body is read.
    error(call(readers, "POST", "/v1/models/cats-vs-dogs:classify", "{\"images\": []}", null, null), 401,
        "UNAUTHENTICATED");
    error(call(readers, "GET", "/v1/models", null, null, null), 401, "UNAUTHENTICATED");
    error(call(readers, "GET", "/v1/cluster", null, null, null), 401, "UNAUTHENTICATED");
    // The page (where a token is entered) and the probes stay open.
    for (String open : List.of("/", "/assets/app.js", "/v2/health/live", "/health/live", "/health/ready")) {
      assertThat(call(readers, "GET", open, null, null, null).statusCode()).as(open).isEqualTo(200);
    }
    // Writing still needs its role there too.
    error(call(readers, "POST", "/v1/training-jobs", JOB, tokens.reader(), null), 403, "PERMISSION_DENIED");

    JsonObject anonymous = new JsonObject(call(readers, "GET", "/v1/whoami", null, null, null).body());
    assertThat(anonymous.getBoolean("authenticated")).isFalse();
    assertThat(anonymous.getString("read")).isEqualTo("reader");
    assertThat(anonymous.getString("auth")).isEqualTo("on");
    JsonObject trainer = new JsonObject(call(gateway, "GET", "/v1/whoami", null, tokens.trainer(), null).body());
    assertThat(trainer.getString("subject")).isEqualTo("trainer");
    assertThat(trainer.getString("role")).isEqualTo("trainer");
    assertThat(trainer.getString("via")).isEqualTo("token");
    assertThat(trainer.getString("read")).isEqualTo("open");
    error(call(gateway, "GET", "/v1/whoami", null, "cnv_nope", null), 401, "UNAUTHENTICATED");
  }

  /** A refusal in the standard protocols' shape, {@code {"error": "<message>"}}: the message. */
  static String specError(HttpResponse<String> r, int status) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("www-authenticate")).hasValueSatisfying(v -> v.startsWith("Bearer realm="));
    return new JsonObject(r.body()).getString("error");
  }

  static Status.Code grpcCode(Runnable call) {
    return catchThrowableOfType(StatusRuntimeException.class, call::run).getStatus().getCode();
  }

  @Test
  @Order(3)
  void theStandardProtocolsAskForTheSameTokenOverRestAndInTheGrpcAuthorizationMetadata() throws Exception {
    // REST: refused in the specs' error shape; the v2 probes stay open
    assertThat(specError(call(readers, "GET", "/v2", null, null, null), 401)).contains("role reader");
    assertThat(specError(call(readers, "POST", "/v2/models/cats-vs-dogs/infer", "{\"inputs\": []}", "cnv_nope", null),
        401)).contains("not valid");
    assertThat(specError(call(readers, "POST", "/v1/models/cats-vs-dogs:predict", "{\"instances\": []}", null, null),
        401)).contains("role reader");
    assertThat(specError(call(readers, "GET", "/v1/models/cats-vs-dogs/metadata", null, null, null), 401))
        .contains("role reader");
    assertThat(call(readers, "GET", "/v2", null, tokens.reader(), null).statusCode()).isEqualTo(200);
    assertThat(call(readers, "GET", "/v2/health/ready", null, null, null).statusCode()).isNotEqualTo(401);

    // gRPC, through grpc-java's stock stubs: the token in the authorization metadata
    int port = Integer.parseInt(readers.kit().statusDetails().get("grpcPort"));
    ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      var v2 = GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
      var tf = PredictionServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
      ServerMetadataRequest server = ServerMetadataRequest.getDefaultInstance();
      assertThat(grpcCode(() -> v2.serverMetadata(server))).isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(catchThrowableOfType(StatusRuntimeException.class, () -> v2.serverMetadata(server)).getStatus()
          .getDescription()).contains("role reader");
      PredictRequest predict = PredictRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("cats-vs-dogs"))
          .build();
      assertThat(grpcCode(() -> tf.predict(predict))).isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(grpcCode(() -> bearing(v2, "Bearer cnv_nope").serverMetadata(server)))
          .isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(grpcCode(() -> bearing(v2, "Basic dXNlcjpwYXNz").serverMetadata(server)))
          .isEqualTo(Status.Code.UNAUTHENTICATED);
      for (Role role : Role.values()) {
        assertThat(bearing(v2, TestTokens.bearer(tokens.token(role.id()))).serverMetadata(server).getName())
            .as(role.id()).isEqualTo("convnet-cluster");
      }
      // past access, the call goes its way (no worker here: the model is not found or not ready, never 401)
      assertThat(grpcCode(() -> bearing(tf, TestTokens.bearer(tokens.reader())).predict(predict)))
          .isNotIn(Status.Code.UNAUTHENTICATED, Status.Code.PERMISSION_DENIED);
      // the probes stay open
      assertThat(v2.serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
      v2.serverReady(ServerReadyRequest.getDefaultInstance());
      // reading open (the default): no token needed
      int openPort = Integer.parseInt(gateway.kit().statusDetails().get("grpcPort"));
      ManagedChannel open = ManagedChannelBuilder.forAddress("127.0.0.1", openPort).usePlaintext().build();
      try {
        assertThat(GRPCInferenceServiceGrpc.newBlockingStub(open).withDeadlineAfter(20, TimeUnit.SECONDS)
            .serverMetadata(server).getName()).isEqualTo("convnet-cluster");
      } finally {
        open.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** {@code stub} sending {@code authorization} as its calls' metadata. */
  static <S extends AbstractStub<S>> S bearing(S stub, String authorization) {
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), authorization);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  @Test
  @Order(4)
  void theTokenFileIsReadAgainWhenItChangesAndABrokenOneKeepsTheTokensLoadedBefore() throws Exception {
    String ci = tokens.add("ci", Role.TRAINER);
    await(() -> call(gateway, "POST", "/v1/training-jobs", JOB, ci, null).statusCode() == 201, "a new token works");

    tokens.remove("ci");
    await(() -> call(gateway, "POST", "/v1/training-jobs", JOB, ci, null).statusCode() == 401, "a removed token fails");

    tokens.save("admin admin sha256:not-a-hash\n");
    Thread.sleep(1000);  // five reloads of the broken file
    assertThat(call(gateway, "POST", "/v1/training-jobs", JOB, tokens.trainer(), null).statusCode())
        .as("the tokens loaded before stay in force").isEqualTo(201);

    tokens.save("# nobody\n");
    await(() -> call(gateway, "POST", "/v1/training-jobs", JOB, tokens.admin(), null).statusCode() == 401,
        "an empty file revokes every token");
    tokens.restore();
    await(() -> call(gateway, "POST", "/v1/training-jobs", JOB, tokens.admin(), null).statusCode() == 201,
        "the tokens are back");
  }

  @Test
  @Order(5)
  void withoutTokensStateChangingCallsAreRefusedSayingHowToConfigureThemAndAuthOffAllowsEverything()
      throws Exception {
    RunningService bare = TestServices.start(GatewayMain.DEFINITION, Map.of());
    RunningService off = TestServices.start(GatewayMain.DEFINITION, Map.of(AccessSettings.AUTH.name(), "off"));
    try {
      awaitReady(bare);
      awaitReady(off);
      HttpResponse<String> refused = call(bare, "POST", "/v1/training-jobs", JOB, null, null);
      assertThat(error(refused, 401, "UNAUTHENTICATED").getString("message"))
          .contains("no tokens configured", AccessSettings.TOKENS_FILE.name(), "run/admin.token", "CONVNET_AUTH=off");
      error(call(bare, "POST", "/v1/training-jobs", JOB, tokens.admin(), null), 401, "UNAUTHENTICATED");
      assertThat(call(bare, "GET", "/v1/training-jobs", null, null, null).statusCode()).isEqualTo(200);

      HttpResponse<String> allowed = call(off, "POST", "/v1/training-jobs", JOB, null, "off-1");
      assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(201);
      JsonObject me = new JsonObject(call(off, "GET", "/v1/whoami", null, null, null).body());
      assertThat(me.getString("auth")).isEqualTo("off");
      assertThat(me.getString("role")).isEqualTo("admin");
      // Still audited, as what it is.
      await(() -> {
        HttpResponse<String> r = call(off, "GET", "/v1/audit?limit=1000", null, null, null);
        return r.statusCode() == 200 && r.body().contains("\"requestId\":\"off-1\"") && r.body().contains("auth-off");
      }, "the call of a gateway without access control in the audit log");
    } finally {
      TestServices.stop(bare, off);
    }
  }

  @Test
  @Order(6)
  void aRouteThatDeclaresNoRuleStopsTheGatewayFromStarting() {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      io.vertx.ext.web.Router router = io.vertx.ext.web.Router.router(vertx);
      Access access = new Access(new Authenticator(false, null, null), false, null,
          new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
      access.read(router.get("/v1/read")).handler(ctx -> ctx.end());
      Route forgotten = router.post("/v1/forgotten").handler(ctx -> ctx.end());
      List<Route> routes = new ArrayList<>(router.getRoutes());
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> Access.checkDeclared(routes))
          .hasMessageContaining("/v1/forgotten").hasMessageNotContaining("/v1/read");
      access.open(forgotten);
      Access.checkDeclared(router.getRoutes());
    } finally {
      vertx.close();
    }
  }
}
