package io.convnet.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.convnet.gateway.GatewayMain;
import io.convnet.gateway.access.TestTokens;
import io.convnet.gateway.webui.HeadlessChromium;
import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.testing.ImageFolders;
import io.convnet.trainer.TrainerMain;
import io.convnet.worker.InferenceWorkerMain;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A model's lifecycle as run.sh runs it: gateway, trainer and two inference workers in their own JVMs, real
 * training on a tiny data set, and only tokens of the right role allowed to change anything. The first
 * version becomes stable by itself; a second waits while classify keeps answering the first; an admin
 * promotes it and rolls back, and every worker follows; twenty switches under load fail no request; the
 * canary policy gives a third version its share and compares it with stable; labels and policy survive a
 * restart of every service; the audit log lists who did each; the web page's Models panel shows all
 * of it and offers the changes to admins only (headless Chromium); and an admin deletes a version no label
 * names, which then gets 404 while stable answers on, and its number is not given again.
 */
@ExtendWith(KafkaBrokerExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ModelLifecycleE2ETest {
  static final String MODEL = "lifecycle";
  static final Duration START = Duration.ofSeconds(180);
  static final Duration TRAINING = Duration.ofSeconds(300);
  static final Duration SWITCH = Duration.ofSeconds(30);
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  static final String JOB = "{\"dataDir\": \"tiny\", \"model\": \"" + MODEL + "\", \"epochs\": 1, \"batchSize\": 4, "
      + "\"imageSize\": 32, \"augment\": false}";

  @TempDir
  static Path tmp;
  static TestTokens tokens;
  static Map<String, String> env;
  static ServiceProcess gateway;
  static ServiceProcess trainer;
  static ServiceProcess worker1;
  static ServiceProcess worker2;
  static byte[] image;

  @BeforeAll
  static void start() throws Exception {
    Path data = Files.createDirectories(tmp.resolve("data"));
    ImageFolders.catsAndDogs(data.resolve("tiny"), 4, 32, 11);
    image = Files.readAllBytes(data.resolve("tiny/validation/cat/cat.0.png"));
    tokens = TestTokens.write(Files.createDirectories(tmp.resolve("tokens")));
    env = new HashMap<>(tokens.env());
    env.putAll(Map.of("CONVNET_DATA_ROOT", data.toString(), "CONVNET_MODEL_STORE", tmp.resolve("models").toString(),
        "CONVNET_REQUEST_TIMEOUT_MS", "20000", "CONVNET_SCORE_ENABLED", "false", "CONVNET_MODEL_POLL_MS", "1000",
        "CONVNET_SHUTDOWN_GRACE_MS", "5000", "CONVNET_STATUS_WINDOW_MS", "1500"));
    startAll();
  }

  static void startAll() throws Exception {
    gateway = ServiceProcess.start(GatewayMain.class, "gateway-lifecycle", env);
    trainer = ServiceProcess.start(TrainerMain.class, "trainer-lifecycle", env);
    worker1 = ServiceProcess.start(InferenceWorkerMain.class, "inference-worker-lifecycle-1", env);
    worker2 = ServiceProcess.start(InferenceWorkerMain.class, "inference-worker-lifecycle-2", env);
    for (ServiceProcess p : all()) {
      p.awaitReady(START);
    }
  }

  static List<ServiceProcess> all() {
    return Stream.of(gateway, trainer, worker1, worker2).filter(p -> p != null).toList();
  }

  @AfterAll
  static void stop() throws Exception {
    for (ServiceProcess p : all()) {
      p.terminate(Duration.ofSeconds(20));
      p.close();
    }
  }

  // ---- calls

  static HttpResponse<String> call(String method, String path, String body, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port + path))
        .timeout(Duration.ofSeconds(60))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("content-type", "application/json");
    }
    if (token != null) {
      b.header("authorization", TestTokens.bearer(token));
    }
    try {
      return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(method + " " + path + ": " + e, e);
    }
  }

  static JsonObject ok(HttpResponse<String> r, int status) {
    assertThat(r.statusCode()).as(r.request().method() + " " + r.uri() + ": " + r.body()).isEqualTo(status);
    return new JsonObject(r.body());
  }

  /** An unlabelled classify call: {@code {"version", "worker", ...}}, or the error. */
  static HttpResponse<String> classify(String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port + "/v1/models/" + path
          + "/classify")).timeout(Duration.ofSeconds(60)).header("content-type", "image/png")
          .POST(HttpRequest.BodyPublishers.ofByteArray(image)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  static long classifiedVersion() {
    return ok(classify(MODEL), 200).getLong("version");
  }

  static void await(Supplier<Boolean> condition, Duration timeout, String what) throws InterruptedException {
    long until = System.nanoTime() + timeout.toNanos();
    while (!condition.get()) {
      assertThat(System.nanoTime()).as(what).isLessThan(until);
      Thread.sleep(200);
    }
  }

  /** Trains one more version through the gateway (admin token) and returns its published event. */
  static JsonObject train() throws Exception {
    String id = ok(call("POST", "/v1/training-jobs", JOB, tokens.admin()), 201).getString("id");
    JsonObject[] job = new JsonObject[1];
    await(() -> {
      job[0] = ok(call("GET", "/v1/training-jobs/" + id, null, null), 200);
      return List.of("succeeded", "failed", "cancelled").contains(job[0].getString("state"));
    }, TRAINING, "job " + id + " ended");
    assertThat(job[0].getString("state")).as(job[0].encode()).isEqualTo("succeeded");
    return job[0].getJsonObject("model");
  }

  /** Until {@code n} unlabelled answers in a row come from {@code version}; returns the workers that gave them. */
  static Set<String> awaitServed(long version, int n) throws InterruptedException {
    Set<String> workers = new TreeSet<>();
    int[] inARow = {0};
    await(() -> {
      JsonObject answer = ok(classify(MODEL), 200);
      if (answer.getLong("version") == version) {
        inARow[0]++;
        workers.add(answer.getString("worker"));
      } else {
        inARow[0] = 0;
        workers.clear();
      }
      return inARow[0] >= n;
    }, SWITCH, "every worker answers v" + version);
    return workers;
  }

  static JsonObject labels() {
    return ok(call("GET", "/v1/models/" + MODEL + "/labels", null, null), 200);
  }

  static JsonObject moveStable(long version, String token) {
    return ok(call("PUT", "/v1/models/" + MODEL + "/labels/stable", "{\"version\": " + version + "}", token), 200);
  }

  // ---- the lifecycle

  @Test
  @Order(1)
  void withoutATokenTrainingIsRefusedAndTheFirstVersionBecomesStableByItself() throws Exception {
    HttpResponse<String> refused = call("POST", "/v1/training-jobs", JOB, null);
    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(refused.headers().firstValue("www-authenticate")).contains("Bearer realm=\"convnet\"");

    JsonObject first = train();
    assertThat(first.getInteger("version")).isEqualTo(1);
    assertThat(first.getString("promotion")).isEqualTo("stable: the model's first version");
    await(() -> classify(MODEL).statusCode() == 200, SWITCH, "v1 served");
    assertThat(awaitServed(1, 5)).isNotEmpty();
    assertThat(labels().getJsonObject("labels").getMap()).isEqualTo(Map.of("stable", 1));
  }

  @Test
  @Order(2)
  void aSecondVersionWaitsForPromotionWhileClassifyKeepsAnsweringTheFirst() throws Exception {
    JsonObject second = train();
    assertThat(second.getInteger("version")).isEqualTo(2);
    assertThat(second.getString("promotion")).isEqualTo("candidate: waits to be promoted (policy manual; stable stays v1)");
    // Both workers have heard of v2 (it is listed), and still answer v1.
    await(() -> ok(call("GET", "/v1/models/" + MODEL, null, null), 200).getJsonArray("versions").size() == 2,
        SWITCH, "v2 listed");
    for (int i = 0; i < 20; i++) {
      assertThat(classifiedVersion()).isEqualTo(1);
    }
    JsonObject model = ok(call("GET", "/v1/models/" + MODEL, null, null), 200);
    assertThat(model.getJsonObject("versionLabels").getMap()).isEqualTo(Map.of("stable", 1));
    assertThat(model.getJsonArray("versions").getJsonObject(1).getJsonObject("metrics").getMap())
        .containsKeys("val_accuracy", "val_loss");
    assertThat(ok(classify(MODEL + "/versions/2"), 200).getLong("version")).as("v2 asked for by number").isEqualTo(2);
  }

  @Test
  @Order(3)
  void onlyAnAdminPromotesAndRollsBackAndEveryWorkerFollows() throws Exception {
    String stable = "/v1/models/" + MODEL + "/labels/stable";
    HttpResponse<String> none = call("PUT", stable, "{\"version\": 2}", null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("www-authenticate")).contains("Bearer realm=\"convnet\"");
    for (String lower : List.of(tokens.reader(), tokens.trainer())) {
      assertThat(call("PUT", stable, "{\"version\": 2}", lower).statusCode()).isEqualTo(403);
      assertThat(call("PUT", "/v1/models/" + MODEL + "/policy", "{\"mode\": \"auto\"}", lower).statusCode())
          .isEqualTo(403);
      assertThat(call("DELETE", "/v1/models/" + MODEL + "/labels/canary", null, lower).statusCode()).isEqualTo(403);
    }
    assertThat(classifiedVersion()).isEqualTo(1);

    JsonObject promoted = moveStable(2, tokens.admin());
    assertThat(promoted.getJsonObject("labels").getMap()).isEqualTo(Map.of("stable", 2));
    assertThat(promoted.getString("updatedBy")).isEqualTo("admin");
    Set<String> workers = awaitServed(2, 20);
    System.out.println("promoted: v2 answered by " + workers);
    assertThat(ok(classify(MODEL + "/labels/stable"), 200).getLong("version")).isEqualTo(2);

    JsonObject rolledBack = moveStable(1, tokens.admin());
    assertThat(rolledBack.getLong("revision")).isGreaterThan(promoted.getLong("revision"));
    awaitServed(1, 20);

    JsonObject conflict = new JsonObject(call("DELETE", "/v1/models/" + MODEL + "/labels/stable", null, tokens.admin())
        .body());
    assertThat(conflict.getJsonObject("error").getString("code")).isEqualTo("CONFLICT");
    assertThat(call("PUT", stable, "{\"version\": 7}", tokens.admin()).statusCode()).isEqualTo(404);
  }

  @Test
  @Order(4)
  void twentySwitchesOfStableUnderLoadFailNoRequest() throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong last = new AtomicLong();
    AtomicInteger answered = new AtomicInteger();
    Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
    List<Thread> clients = Stream.generate(() -> new Thread(() -> {
      while (running.get()) {
        HttpResponse<String> r = classify(MODEL);
        if (r.statusCode() == 200) {
          last.set(new JsonObject(r.body()).getLong("version"));
          answered.incrementAndGet();
        } else {
          failures.computeIfAbsent(r.statusCode() + " " + r.body(), k -> new AtomicInteger()).incrementAndGet();
        }
      }
    })).limit(3).toList();
    clients.forEach(Thread::start);
    try {
      for (int i = 1; i <= 20; i++) {
        long target = i % 2 == 1 ? 2 : 1;
        moveStable(target, tokens.admin());
        long until = System.nanoTime() + SWITCH.toNanos();
        int before = answered.get();
        while ((last.get() != target || answered.get() < before + 4) && System.nanoTime() < until) {
          Thread.sleep(20);
        }
        assertThat(last.get()).as("switch %d to v%d", i, target).isEqualTo(target);
      }
    } finally {
      running.set(false);
      for (Thread t : clients) {
        t.join();
      }
    }
    System.out.printf("20 switches of stable through the gateway: %d requests answered, failures %s%n", answered.get(),
        failures);
    assertThat(failures).as("failed requests during the switches").isEmpty();
    assertThat(labels().getJsonObject("labels").getMap()).isEqualTo(Map.of("stable", 1));
  }

  @Test
  @Order(5)
  void theCanaryPolicyGivesANewVersionItsShareAndComparesItWithStable() throws Exception {
    JsonObject policy = ok(call("PUT", "/v1/models/" + MODEL + "/policy", "{\"mode\": \"canary\", \"canaryShare\": 0.5, "
        + "\"shadowShare\": 1}", tokens.admin()), 200);
    assertThat(policy.getJsonObject("policy").getMap()).containsEntry("mode", "canary").containsEntry("canaryShare", 0.5);
    JsonObject third = train();
    assertThat(third.getInteger("version")).isEqualTo(3);
    assertThat(third.getString("promotion")).isEqualTo("canary: gets 50% of unlabelled requests beside stable v1");

    await(() -> ok(call("GET", "/v1/models/" + MODEL, null, null), 200).getJsonObject("versionLabels").getMap()
        .equals(Map.of("stable", 1, "canary", 3)), SWITCH, "the workers know the canary");
    int[] byVersion = new int[4];
    await(() -> {
      byVersion[(int) classifiedVersion()]++;
      return byVersion[1] + byVersion[3] >= 80 && byVersion[3] > 0;
    }, Duration.ofSeconds(120), "80 answers, some of them the canary's");
    assertThat(byVersion[2]).isZero();
    JsonObject[] canary = new JsonObject[1];
    await(() -> {
      canary[0] = ok(call("GET", "/v1/models/" + MODEL, null, null), 200).getJsonObject("canary");
      return canary[0] != null && canary[0].getInteger("comparisons") >= byVersion[3];
    }, SWITCH, "every canary answer compared with stable");
    System.out.println("canary: " + canary[0].encode() + "; answered by version " + java.util.Arrays.toString(byVersion));
    assertThat(canary[0].getInteger("version")).isEqualTo(3);
    assertThat(canary[0].getInteger("stable")).isEqualTo(1);
    assertThat(canary[0].getDouble("share")).isEqualTo(0.5);
    assertThat(canary[0].getDouble("observedShare")).as("half of the unlabelled requests, give or take")
        .isBetween(0.25, 0.75);
    assertThat(canary[0].getInteger("requests")).isGreaterThanOrEqualTo(byVersion[3]);
    assertThat(canary[0].getInteger("errors")).isZero();
    assertThat(canary[0].getDouble("agreement")).isBetween(0.0, 1.0);
  }

  @Test
  @Order(6)
  void labelsAndPolicySurviveARestartOfEveryService() throws Exception {
    JsonObject before = labels();
    for (ServiceProcess p : all()) {
      assertThat(p.terminate(Duration.ofSeconds(30))).as(p.instanceId + " stopped").isZero();
    }
    startAll();
    await(() -> classify(MODEL).statusCode() == 200, SWITCH, "served after the restart");
    JsonObject after = labels();
    assertThat(after.getJsonObject("labels").getMap()).isEqualTo(Map.of("stable", 1, "canary", 3));
    assertThat(after.getLong("revision")).isEqualTo(before.getLong("revision"));
    assertThat(after.getJsonObject("policy").getMap()).containsEntry("mode", "canary").containsEntry("canaryShare", 0.5);
    assertThat(ok(classify(MODEL + "/labels/stable"), 200).getLong("version")).isEqualTo(1);
    assertThat(ok(classify(MODEL + "/labels/canary"), 200).getLong("version")).isEqualTo(3);

    JsonObject ended = ok(call("DELETE", "/v1/models/" + MODEL + "/labels/canary", null, tokens.admin()), 200);
    assertThat(ended.getJsonObject("labels").getMap()).isEqualTo(Map.of("stable", 1));
    assertThat(ended.getLong("revision")).isGreaterThan(before.getLong("revision"));
    awaitServed(1, 10);
  }

  @Test
  @Order(7)
  void theAuditLogListsEveryChangeWithWhoMadeIt() throws Exception {
    List<JsonObject> records = new ArrayList<>();
    await(() -> {
      records.clear();
      ok(call("GET", "/v1/audit?limit=1000", null, tokens.admin()), 200).getJsonArray("records").stream()
          .map(o -> (JsonObject) o).filter(r -> r.getString("instance").equals(gateway.instanceId))  // other tests' too
          .forEach(records::add);
      return records.stream().anyMatch(r -> r.getString("method").equals("DELETE") && r.getInteger("status") == 200);
    }, SWITCH, "the last change in the audit log");
    List<String> changes = records.stream().filter(r -> r.getString("route").startsWith("/v1/models/"))
        .map(r -> r.getString("method") + " " + r.getString("path") + " " + r.getInteger("status") + " "
            + r.getString("subject") + " " + r.getJsonObject("details", new JsonObject()).getString("version", "-"))
        .toList();
    assertThat(changes).contains(
        "PUT /v1/models/lifecycle/labels/stable 401 anonymous -",
        "PUT /v1/models/lifecycle/labels/stable 403 reader -",
        "PUT /v1/models/lifecycle/labels/stable 403 trainer -",
        "PUT /v1/models/lifecycle/labels/stable 200 admin 2",
        "PUT /v1/models/lifecycle/labels/stable 200 admin 1",
        "DELETE /v1/models/lifecycle/labels/stable 409 admin -",
        "PUT /v1/models/lifecycle/policy 200 admin -",
        "DELETE /v1/models/lifecycle/labels/canary 200 admin -");
    assertThat(changes.stream().filter(c -> c.startsWith("PUT /v1/models/lifecycle/labels/stable 200 admin")))
        .as("promotion, rollback and the twenty switches").hasSizeGreaterThanOrEqualTo(22);
    assertThat(records.stream().filter(r -> r.getString("route").equals("/v1/training-jobs"))
        .map(r -> r.getInteger("status") + " " + r.getString("subject")).toList())
        .containsExactlyInAnyOrder("401 anonymous", "201 admin", "201 admin", "201 admin");
  }

  // ---- the web page's Models panel

  @Test
  @Order(8)
  void theModelsPanelShowsVersionsLabelsAndTrafficAndOffersChangesToAdminsOnly() throws Exception {
    ChromeDriver browser = HeadlessChromium.assumeInstalled().open();
    try {
      Page page = new Page(browser, HeadlessChromium.waiting(browser, SWITCH));
      browser.get("http://127.0.0.1:" + gateway.port + "/");
      page.waiting.until(d -> "true".equals(d.findElement(By.tagName("html")).getDomAttribute("data-ready")));
      page.waiting.until(d -> d.findElements(By.cssSelector("#lifecycle-model option[value='" + MODEL + "']")).size() == 1);
      new Select(page.find("#lifecycle-model")).selectByValue(MODEL);
      page.awaitRow(1, "stable");
      assertThat(page.rows()).containsExactly("3", "2", "1");
      assertThat(page.find("#lifecycle").getDomAttribute("data-admin")).isEqualTo("false");
      assertThat(page.actions()).as("without a token: curves only").containsOnly("curves");
      assertThat(page.find("#policy-form").isDisplayed()).isFalse();
      assertThat(page.find("#policy-text").getText()).startsWith("Policy: canary");
      assertThat(page.cell(2, "td:nth-child(4)")).matches("\\d\\.\\d{4}");

      page.useToken(tokens.reader());
      assertThat(page.actions()).as("reader: curves only").containsOnly("curves");
      page.useToken(tokens.admin());
      page.waiting.until(d -> "true".equals(page.find("#lifecycle").getDomAttribute("data-admin")));
      assertThat(page.find("#policy-form").isDisplayed()).isTrue();

      page.click(2, "promote");
      page.awaitRow(2, "stable");
      awaitServed(2, 10);
      assertThat(page.find("#lifecycle-status").getText()).isEqualTo("stable → v2 (by admin)");
      page.click(1, "rollback");
      page.awaitRow(1, "stable");
      awaitServed(1, 10);

      page.click(3, "canary");
      page.awaitRow(3, "canary");
      WebElement share = page.find("#policy-form input[name=canaryShare]");
      share.clear();
      share.sendKeys("50");
      page.find("#policy-save").click();
      page.waiting.until(d -> page.find("#policy-text").getText().contains("canary share 50.0%"));
      int canaryAnswers = 0;
      for (int i = 0; i < 40 || canaryAnswers == 0; i++) {
        canaryAnswers += classifiedVersion() == 3 ? 1 : 0;
        assertThat(i).as("the canary answered").isLessThan(200);
      }
      int answers = canaryAnswers;
      page.find("#lifecycle-refresh").click();
      page.waiting.withMessage("the canary's " + answers + " answers shown").until(d -> {
        String requests = page.cell(3, ".traffic-requests");
        return requests.matches("\\d+") && Integer.parseInt(requests) >= answers;  // the panel reads again every 10 s
      });
      assertThat(page.find("#canary-summary").getText()).startsWith("Canary v3 beside stable v1: share 50.0% (observed ")
          .contains("agreement with stable");
      assertThat(page.find("#canary-summary").getDomAttribute("data-agreement")).isNotEmpty();
      assertThat(page.cell(3, ".traffic-agreement")).matches("\\d+\\.\\d% of \\d+");

      // Delete: offered for a version no label names (v2; v1 is stable, v3 the canary), after a confirm().
      assertThat(page.actions(1)).doesNotContain("delete");
      assertThat(page.actions(3)).doesNotContain("delete");
      browser.executeScript("window.confirm = (m) => { window.confirmed = m; return true; }");
      page.click(2, "delete");
      page.waiting.until(d -> page.find("#lifecycle-status").getText().equals("v2 deleted (by admin)"));
      assertThat(page.rows()).containsExactly("3", "1");
      assertThat((String) browser.executeScript("return window.confirmed")).startsWith("Delete v2 of " + MODEL + "?");

      page.click(1, "curves");
      page.waiting.until(d -> (Boolean) ((JavascriptExecutor) d).executeScript(
          "const i = document.querySelector('#lifecycle-curves img'); return i.complete && i.naturalWidth > 0;"));
      assertThat(page.find("#lifecycle-curves").getDomAttribute("data-version")).isEqualTo("1");

      List<String> problems = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
          .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue()).map(LogEntry::getMessage).toList();
      assertThat(problems).as("browser console").isEmpty();
    } finally {
      browser.quit();
    }
  }

  // ---- deleting a version

  @Test
  @Order(9)
  void anAdminDeletesAVersionNoLabelNamesWhichThenGets404WhileStableAnswersOnAndItsNumberIsNotReused()
      throws Exception {
    String v3 = "/v1/models/" + MODEL + "/versions/3";
    HttpResponse<String> none = call("DELETE", v3, null, null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("www-authenticate")).contains("Bearer realm=\"convnet\"");
    assertThat(call("DELETE", v3, null, tokens.trainer()).statusCode()).isEqualTo(403);
    ok(call("PUT", "/v1/models/" + MODEL + "/labels/canary", "{\"version\": 3}", tokens.admin()), 200);
    JsonObject labelled = new JsonObject(call("DELETE", v3, null, tokens.admin()).body()).getJsonObject("error");
    assertThat(labelled.getString("code")).isEqualTo("CONFLICT");
    assertThat(labelled.getString("message")).contains("is labelled canary: move the label first");
    assertThat(call("DELETE", "/v1/models/" + MODEL + "/versions/9", null, tokens.admin()).statusCode()).isEqualTo(404);
    ok(call("DELETE", "/v1/models/" + MODEL + "/labels/canary", null, tokens.admin()), 200);
    awaitServed(1, 10);
    for (int i = 0; i < 10; i++) {
      ok(classify(MODEL + "/versions/3"), 200);  // loaded (and kept) on the workers
    }

    AtomicBoolean running = new AtomicBoolean(true);
    Map<String, AtomicInteger> stableFailures = new ConcurrentHashMap<>();
    Map<Integer, AtomicInteger> deletedAnswers = new ConcurrentHashMap<>();
    List<Thread> clients = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      clients.add(new Thread(() -> {
        while (running.get()) {
          HttpResponse<String> r = classify(MODEL);
          if (r.statusCode() != 200) {
            stableFailures.computeIfAbsent(r.statusCode() + " " + r.body(), k -> new AtomicInteger()).incrementAndGet();
          }
        }
      }));
    }
    clients.add(new Thread(() -> {
      while (running.get()) {
        deletedAnswers.computeIfAbsent(classify(MODEL + "/versions/3").statusCode(), k -> new AtomicInteger())
            .incrementAndGet();
      }
    }));
    clients.forEach(Thread::start);
    try {
      Thread.sleep(1000);
      JsonObject deleted = ok(call("DELETE", v3, null, tokens.admin()), 200);
      assertThat(deleted.getJsonObject("labels").getMap()).isEqualTo(Map.of("stable", 1));
      assertThat(deleted.getString("updatedBy")).isEqualTo("admin");
      for (int i = 0; i < 10; i++) {
        HttpResponse<String> gone = classify(MODEL + "/versions/3");
        assertThat(gone.statusCode()).as("at once, on every worker: " + gone.body()).isEqualTo(404);
        assertThat(gone.body()).contains("has no version 3");
      }
      Thread.sleep(1000);
    } finally {
      running.set(false);
      for (Thread t : clients) {
        t.join();
      }
    }
    System.out.println("v3 deleted under load: answers for v3 by status " + deletedAnswers + "; stable failures "
        + stableFailures);
    assertThat(stableFailures).as("unlabelled requests while v3 was deleted").isEmpty();
    assertThat(deletedAnswers.keySet()).as("v3's requests: answered, or 404 once it is gone").containsOnly(200, 404);
    assertThat(ok(call("GET", "/v1/models/" + MODEL, null, null), 200).getJsonArray("versions").stream()
        .map(v -> ((JsonObject) v).getInteger("version")).toList()).contains(1).doesNotContain(3);
    for (ServiceProcess worker : List.of(worker1, worker2)) {
      await(() -> logHas(worker, MODEL + ": v3 is no longer in the store; unloading it")
          && logHas(worker, "unloaded " + MODEL + " v3"), SWITCH, worker.instanceId + " closed v3");
    }

    List<String> audited = new ArrayList<>();
    await(() -> {
      audited.clear();
      ok(call("GET", "/v1/audit?limit=1000", null, tokens.admin()), 200).getJsonArray("records").stream()
          .map(o -> (JsonObject) o).filter(r -> r.getString("instance").equals(gateway.instanceId)
              && r.getString("route").equals("/v1/models/{name}/versions/{v}"))
          .forEach(r -> audited.add(r.getString("path") + " " + r.getInteger("status") + " " + r.getString("subject")));
      return audited.contains(v3 + " 200 admin");
    }, SWITCH, "the deletion in the audit log");
    assertThat(audited).contains(v3 + " 401 anonymous", v3 + " 403 trainer", v3 + " 409 admin");

    assertThat(train().getInteger("version")).as("after the deleted v3, the newest: never 3 again").isEqualTo(4);
  }

  static boolean logHas(ServiceProcess p, String line) {
    try {
      return Files.readString(p.log).contains(line);
    } catch (IOException e) {
      return false;
    }
  }

  /** The Models panel as a user sees it. */
  record Page(ChromeDriver browser, WebDriverWait waiting) {
    WebElement find(String css) {
      return browser.findElement(By.cssSelector(css));
    }

    List<String> rows() {
      return browser.findElements(By.cssSelector("#versions-table tbody tr")).stream()
          .map(r -> r.getDomAttribute("data-version")).toList();
    }

    WebElement row(int version) {
      return find("#versions-table tbody tr[data-version='" + version + "']");
    }

    List<String> actions(int version) {
      return waiting.until(d -> row(version).findElements(By.cssSelector("button")).stream()
          .map(b -> b.getDomAttribute("data-action")).toList());
    }

    List<String> actions() {
      return browser.findElements(By.cssSelector("#versions-table button")).stream()
          .map(b -> b.getDomAttribute("data-action")).distinct().toList();
    }

    void awaitRow(int version, String label) {
      waiting.withMessage("v" + version + " labelled " + label).until(d -> d.findElements(By.cssSelector(
          "#versions-table tbody tr[data-version='" + version + "']")).stream().anyMatch(r -> List.of(
          r.getDomAttribute("data-labels").split(" ")).contains(label)));
    }

    /** Clicks a version's button; the panel redraws its rows as figures change, so a replaced one is found again. */
    void click(int version, String action) {
      waiting.until(d -> {
        WebElement button = row(version).findElement(By.cssSelector("button[data-action='" + action + "']"));
        ((JavascriptExecutor) browser).executeScript("arguments[0].scrollIntoView({block: 'center'})", button);
        button.click();
        return true;
      });
    }

    /** The text of a version's cell. */
    String cell(int version, String css) {
      return waiting.until(d -> row(version).findElement(By.cssSelector(css)).getText());
    }

    void useToken(String token) {
      WebElement input = find("#token-input");
      input.sendKeys(token);
      find("#token-form button[type=submit]").click();
      waiting.until(d -> "ok".equals(find("#token-status").getDomAttribute("data-state")));
    }
  }
}
