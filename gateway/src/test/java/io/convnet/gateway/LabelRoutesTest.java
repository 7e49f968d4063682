package io.convnet.gateway;

import static io.convnet.gateway.access.AccessTest.call;
import static io.convnet.gateway.access.AccessTest.error;
import static org.assertj.core.api.Assertions.assertThat;

import io.convnet.gateway.access.AccessTest;
import io.convnet.gateway.access.Role;
import io.convnet.gateway.access.TestTokens;
import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kit.config.Settings;
import io.convnet.kit.launch.RunningService;
import io.convnet.kit.testing.TestServices;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The label, policy and version-deleting routes of a real gateway: what they pass on (the label, the version, the policy,
 * and who asked, from the token), what they refuse before asking anyone, what the audit log keeps, and
 * labels on the serving routes. Stand-ins answer as a trainer and a worker would (the real ones:
 * LabelRequestsTest, LabelsTest, and end to end ModelLifecycleE2ETest); which role each route needs is
 * AccessTest's matrix.
 */
@ExtendWith(KafkaBrokerExtension.class)
class LabelRoutesTest {
  static TestTokens tokens;
  static String ops;
  static RunningService gateway;
  static RunningService worker;
  static RunningService trainer;

  @BeforeAll
  static void start() throws Exception {
    tokens = TestTokens.write(Files.createTempDirectory("label-routes"));
    ops = tokens.add("ops", Role.ADMIN);
    Map<String, String> env = new HashMap<>(tokens.env());
    env.put(Settings.REQUEST_TIMEOUT_MS.name(), "5000");
    env.put(Settings.STATUS_WINDOW_MS.name(), "300");
    gateway = TestServices.start(GatewayMain.DEFINITION, env);
    worker = TestServices.start(ImageEchoWorker.definition(), Map.of());
    trainer = TestServices.start(LabelsStandIn.definition(), Map.of());
    AccessTest.awaitReady(gateway);
  }

  @AfterAll
  static void stop() {
    TestServices.stop(gateway, worker, trainer);
  }

  static HttpResponse<String> send(String method, String path, String body) {
    return call(gateway, method, path, body, ops, null);
  }

  /** The audit record of the call with this request id, once the gateway has written it. */
  static JsonObject audited(String requestId) throws InterruptedException {
    JsonObject[] record = new JsonObject[1];
    AccessTest.await(() -> {
      HttpResponse<String> audit = call(gateway, "GET", "/v1/audit?limit=100", null, tokens.admin(), null);
      new JsonObject(audit.body()).getJsonArray("records").forEach(o -> {
        if (((JsonObject) o).getString("requestId").equals(requestId)) {
          record[0] = (JsonObject) o;
        }
      });
      return record[0] != null;
    }, requestId + " in the audit log");
    return record[0];
  }

  @Test
  void aMoveNamesTheLabelTheVersionAndWhoAskedAndIsAudited() throws Exception {
    HttpResponse<String> moved = call(gateway, "PUT", "/v1/models/echo/labels/stable", "{\"version\": 2}", ops,
        "promote-1");
    assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
    JsonObject state = new JsonObject(moved.body());
    assertThat(state.getString("model")).isEqualTo("echo");
    assertThat(state.getJsonObject("labels").getMap()).containsEntry("stable", 2);
    assertThat(state.getString("updatedBy")).as("the token's subject, not its role").isEqualTo("ops");
    assertThat(state.getJsonObject("policy").getString("mode")).isEqualTo("manual");
    assertThat(state.getLong("revision")).isPositive();

    JsonObject policy = new JsonObject(send("PUT", "/v1/models/echo/policy", "{\"mode\": \"canary\", "
        + "\"canaryShare\": 0.3}").body());
    assertThat(policy.getJsonObject("policy").getMap()).containsEntry("mode", "canary").containsEntry("canaryShare", 0.3)
        .as("left out: the defaults").containsEntry("shadowShare", 1.0).containsEntry("tolerance", 0.01)
        .containsEntry("floor", 0.5);
    assertThat(new JsonObject(send("DELETE", "/v1/models/echo/labels/stable", null).body())
        .getJsonObject("labels").getMap()).doesNotContainKey("stable");
    error(send("PUT", "/v1/models/echo/labels/stable", "{\"version\": 9}"), 404, "NOT_FOUND");

    JsonObject record = audited("promote-1");
    assertThat(record.getString("subject")).isEqualTo("ops");
    assertThat(record.getString("role")).isEqualTo("admin");
    assertThat(record.getString("route")).isEqualTo("/v1/models/{name}/labels/{label}");
    assertThat(record.getInteger("status")).isEqualTo(200);
    assertThat(record.getJsonObject("details").getMap()).isEqualTo(Map.of("name", "echo", "model", "echo",
        "label", "stable", "version", "2"));
  }

  @Test
  void onlyAnAdminDeletesAVersionNoLabelNamesAndItIsAudited() throws Exception {
    String v1 = "/v1/models/echo/versions/1";
    HttpResponse<String> none = call(gateway, "DELETE", v1, null, null, null);
    assertThat(error(none, 401, "UNAUTHENTICATED").getString("message")).contains("role admin");
    assertThat(none.headers().allValues("www-authenticate")).containsExactly("Bearer realm=\"convnet\"");
    for (String lower : new String[] {tokens.reader(), tokens.trainer()}) {
      error(call(gateway, "DELETE", v1, null, lower, null), 403, "PERMISSION_DENIED");
    }
    send("PUT", "/v1/models/echo/labels/beta", "{\"version\": 1}");
    assertThat(error(send("DELETE", v1, null), 409, "CONFLICT").getString("message")).contains("move the label first");
    send("DELETE", "/v1/models/echo/labels/beta", null);

    HttpResponse<String> deleted = call(gateway, "DELETE", v1, null, ops, "delete-1");
    assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
    assertThat(new JsonObject(deleted.body()).getString("updatedBy")).isEqualTo("ops");
    error(send("DELETE", v1, null), 404, "NOT_FOUND");
    for (String bad : new String[] {"0", "-1", "one", "1.5"}) {
      assertThat(error(send("DELETE", "/v1/models/echo/versions/" + bad, null), 400, "INVALID_ARGUMENT")
          .getString("message")).isEqualTo("version must be a positive integer, not '" + bad + "'");
    }
    error(send("DELETE", "/v1/models/unknown/versions/1", null), 404, "NOT_FOUND");

    JsonObject record = audited("delete-1");
    assertThat(record.getString("route")).isEqualTo("/v1/models/{name}/versions/{v}");
    assertThat(record.getString("method")).isEqualTo("DELETE");
    assertThat(record.getInteger("status")).isEqualTo(200);
    assertThat(record.getJsonObject("details").getMap()).isEqualTo(Map.of("name", "echo", "model", "echo",
        "version", "1"));
  }

  @Test
  void badChangesAreRefusedWithWhatIsWrongBeforeATrainerIsAsked() {
    String label = "/v1/models/echo/labels/canary";
    for (String body : new String[] {"{\"version\": 0}", "{\"version\": \"2\"}", "{\"version\": 1.5}", "{}",
        "{\"version\": 2, \"note\": \"x\"}"}) {
      assertThat(error(send("PUT", label, body), 400, "INVALID_ARGUMENT").getString("message")).as(body)
          .isEqualTo("send {\"version\": N}, N the version the label names (a positive integer)");
    }
    assertThat(error(send("PUT", label, "version=2"), 400, "INVALID_ARGUMENT").getString("message"))
        .isEqualTo("send a JSON object (application/json)");
    assertThat(error(send("PUT", "/v1/models/echo/labels/Canary", "{\"version\": 2}"), 400, "INVALID_ARGUMENT")
        .getString("message")).contains("label", "Canary");
    error(send("DELETE", "/v1/models/echo/labels/no%20label", null), 400, "INVALID_ARGUMENT");

    String policy = "/v1/models/echo/policy";
    assertThat(error(send("PUT", policy, "{\"mode\": \"sometimes\"}"), 400, "INVALID_ARGUMENT").getString("message"))
        .isEqualTo("mode must be one of [manual, auto, canary], not 'sometimes'");
    assertThat(error(send("PUT", policy, "{\"canaryShare\": 1.5}"), 400, "INVALID_ARGUMENT").getString("message"))
        .isEqualTo("canaryShare must be between 0 and 1, not 1.5");
    assertThat(error(send("PUT", policy, "{\"canaryShare\": \"half\"}"), 400, "INVALID_ARGUMENT").getString("message"))
        .isEqualTo("'canaryShare' must be a number between 0 and 1");
    assertThat(error(send("PUT", policy, "{\"share\": 0.5}"), 400, "INVALID_ARGUMENT").getString("message"))
        .startsWith("unknown policy field 'share'");
    HttpResponse<String> tooLarge = send("PUT", policy, "{\"mode\": \"" + "x".repeat(5000) + "\"}");
    assertThat(tooLarge.statusCode()).isEqualTo(413);
    error(send("PUT", "/v1/models/unknown/labels/stable", "{\"version\": 1}"), 404, "NOT_FOUND");
  }

  @Test
  void theServingRoutesTakeALabelInsteadOfAVersionAsTheWorkersKnowIt() {
    JsonObject beta = new JsonObject(call(gateway, "POST", "/v1/models/echo/labels/beta/classify",
        "{\"images\": [\"/9j/AA==\"]}", null, null).body());
    assertThat(beta.getInteger("version")).isEqualTo(2);
    assertThat(new JsonObject(call(gateway, "POST", "/v1/models/echo/labels/stable/classify",
        "{\"images\": [\"/9j/AA==\"]}", null, null).body()).getInteger("version")).isEqualTo(3);
    assertThat(error(call(gateway, "POST", "/v1/models/echo/labels/gamma/classify", "{\"images\": [\"/9j/AA==\"]}",
        null, null), 400, "INVALID_ARGUMENT").getString("message")).isEqualTo("Unrecognized servable version label: gamma");

    JsonObject labels = new JsonObject(call(gateway, "GET", "/v1/models/echo/labels", null, null, null).body());
    assertThat(labels.getJsonObject("labels").getMap()).isEqualTo(Map.of("stable", 3, "beta", 2));
    assertThat(labels.getJsonObject("policy").getString("mode")).isEqualTo("manual");
    assertThat(labels.getLong("revision")).isEqualTo(7);
    // TF Serving's version status of the labelled version, and the model as our API describes it
    JsonObject status = new JsonObject(call(gateway, "GET", "/v1/models/echo/labels/beta", null, null, null).body());
    assertThat(status.getJsonArray("model_version_status").encode())
        .isEqualTo("[{\"version\":\"2\",\"state\":\"END\",\"status\":{\"error_code\":\"OK\",\"error_message\":\"\"}}]");
    assertThat(status.getJsonArray("versions")).hasSize(1);
    assertThat(status.getJsonArray("versions").getJsonObject(0).getJsonArray("versionLabels")).containsExactly("beta");
    assertThat(status.getJsonObject("versionLabels").getMap()).isEqualTo(Map.of("stable", 3, "beta", 2));
    assertThat(status.containsKey("canary")).isFalse();
  }
}
