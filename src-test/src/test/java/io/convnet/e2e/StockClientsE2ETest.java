package io.convnet.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.convnet.gateway.GatewayMain;
import io.convnet.gateway.access.TestTokens;
import io.convnet.gateway.webui.HeadlessChromium;
import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kit.launch.RunningService;
import io.convnet.kit.testing.TestServices;
import io.convnet.testing.TinyBundles;
import io.convnet.visualizer.VisualizerMain;
import io.convnet.worker.InferenceWorkerMain;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * What clients send, as they send it, against the real gateway, inference worker and visualizer
 * (in this JVM, over the test broker) serving a small trained {@code cats-vs-dogs}: every
 * {@code curl} command of README.md's tour and of docs/api.md's classify, TF Serving and v2 sections, run verbatim by
 * the real curl in a folder holding the data set's {@code cat.jpg} and {@code dog.jpg} (only the
 * port is the test's); and a 12 MB phone photo posted the way curl, Python {@code requests}, Java's
 * {@code HttpClient} and a browser's {@code fetch} post by default. Of these only curl (and Java's
 * client when asked) sends {@code Expect: 100-continue}; neither may wait for its 100 on a timeout.
 */
@ExtendWith(KafkaBrokerExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StockClientsE2ETest {
  static final Path REPO = Path.of("").toAbsolutePath().getParent();
  static final String CLASSIFY = "/v1/models/cats-vs-dogs/classify";
  @TempDir
  static Path tmp;
  static Path work;
  static RunningService worker;
  static RunningService visualizer;
  static RunningService gateway;
  static TestTokens tokens;

  @BeforeAll
  static void start() throws Exception {
    Assumptions.assumeTrue(onPath("curl").isPresent(), "needs curl (Debian: apt-get install curl; ./test.sh installs it)");
    Path store = tmp.resolve("models");
    Path data = tmp.resolve("data");
    TinyBundles.trained(store, "cats-vs-dogs", data);
    TinyBundles.trained(store, "cats-vs-dogs", data);  // version 2: docs/api.md names it
    Map<String, String> env = Map.of("CONVNET_MODEL_STORE", store.toString(), "CONVNET_DATA_ROOT", data.toString(),
        "CONVNET_SCORE_ENABLED", "false", "CONVNET_VIZ_CACHE_DIR", tmp.resolve("viz-cache").toString(),
        "CONVNET_REQUEST_TIMEOUT_MS", "30000");
    worker = TestServices.start(InferenceWorkerMain.DEFINITION, env);
    visualizer = TestServices.start(VisualizerMain.DEFINITION, env);
    // as ./run.sh: a token file for the gateway, the admin token in run/admin.token (the tour's training command reads it)
    tokens = TestTokens.write(tmp);
    Map<String, String> gatewayEnv = new java.util.HashMap<>(tokens.env());
    gatewayEnv.put("CONVNET_REQUEST_TIMEOUT_MS", "30000");
    gateway = TestServices.awaitReady(TestServices.start(GatewayMain.DEFINITION, gatewayEnv));  // job list read, as run.sh waits

    work = Files.createDirectories(tmp.resolve("work"));
    Files.writeString(Files.createDirectories(work.resolve("run")).resolve("admin.token"), tokens.admin());
    Path validation = Path.of(System.getProperty("convnet.datasets", "../shared/datasets"), "cats-vs-dogs", "validation");
    for (String label : List.of("cat", "dog")) {
      Path photo = validation.resolve(label).resolve(label + ".1000.jpg");
      Path fallback = data.resolve("bars/validation").resolve(label).resolve(label + ".0.png");
      byte[] jpeg = Files.isRegularFile(photo) ? Files.readAllBytes(photo) : jpegOf(fallback);
      Files.write(work.resolve(label + ".jpg"), jpeg);
      ImageIO.write(ImageIO.read(work.resolve(label + ".jpg").toFile()), "png", work.resolve(label + ".png").toFile());
    }
  }

  @AfterAll
  static void stop() {
    TestServices.stop(gateway, visualizer, worker);
  }

  static byte[] jpegOf(Path png) throws IOException {
    var out = new java.io.ByteArrayOutputStream();
    ImageIO.write(ImageIO.read(png.toFile()), "jpg", out);
    return out.toByteArray();
  }

  @Test
  @Order(1)
  void everyCurlCommandOfTheReadmeTourWorksAsWritten() throws Exception {
    List<String> commands = curlCommands(REPO.resolve("README.md"), "## A tour");
    assertThat(commands).as("the tour's curl commands").hasSizeGreaterThanOrEqualTo(3)
        .anyMatch(c -> CLASSIFY_API.matcher(c).find() && !c.contains("content-type"));
    try {
      commands.forEach(StockClientsE2ETest::runAndCheck);
    } finally {
      cancelQueuedJobs();
    }
  }

  /** The tour queues a training job: cancelled, so that no trainer of a later test on this broker takes it up. */
  static void cancelQueuedJobs() {
    var jobs = new JsonObject(TestServices.get(gateway.httpPort(), "/v1/training-jobs?state=queued").body())
        .getJsonArray("jobs");
    for (int i = 0; i < jobs.size(); i++) {
      HttpResponse<String> r = TestServices.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + gateway.httpPort() + "/v1/training-jobs/" + jobs.getJsonObject(i).getString("id")))
          .header("authorization", TestTokens.bearer(tokens.admin())).DELETE().build());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    }
  }

  @Test
  @Order(2)
  void everyCurlCommandOfTheClassifyApiDocsWorksAsWritten() throws Exception {
    List<String> commands = new ArrayList<>();
    for (String section : List.of("## Classify API", "## TensorFlow Serving", "## Open Inference Protocol")) {
      commands.addAll(curlCommands(REPO.resolve("docs/api.md"), section));
    }
    assertThat(commands).as("docs/api.md's classify curl commands").hasSizeGreaterThanOrEqualTo(10)
        .anyMatch(c -> c.contains(":predict")).anyMatch(c -> c.contains("/infer")).anyMatch(c -> c.contains(" -F "));
    commands.forEach(StockClientsE2ETest::runAndCheck);
  }

  @Test
  @Order(3)
  void a12MbPhotoFromCurlPythonAndJavaClassifiesWithoutAProtocolWait() throws Exception {
    byte[] photo = PhonePhotos.of("cat", PhonePhotos.TWELVE_MB);
    assertThat(photo.length).isGreaterThan(12_000_000);
    Path file = Files.write(work.resolve("photo.jpg"), photo);
    List<String> report = new ArrayList<>();

    // curl as README's tour runs it: over 1 MiB it sends Expect: 100-continue and waits up to 1 s for the 100,
    // saying "Done waiting for 100-continue" when it gave up waiting
    long t0 = System.nanoTime();
    Run curl = run("curl -sv --data-binary @photo.jpg localhost:" + gateway.httpPort() + CLASSIFY);
    long curlMs = (System.nanoTime() - t0) / 1_000_000;
    assertThat(curl.exit()).as(curl.stderr()).isZero();
    assertThat(curl.stderr()).contains("Expect: 100-continue", "HTTP/1.1 100 Continue")
        .doesNotContain("Done waiting for 100-continue");
    report.add(check("curl " + curlVersion(), curlMs, new JsonObject(curl.stdout())));

    HttpClient java = HttpClient.newHttpClient();
    for (boolean expectContinue : new boolean[] {false, true}) {
      t0 = System.nanoTime();
      // with expectContinue(true) Java waits for the 100 without a timeout of its own: answering is the test
      HttpResponse<String> r = java.send(HttpRequest.newBuilder(URI.create("http://localhost:" + gateway.httpPort()
              + CLASSIFY)).expectContinue(expectContinue).timeout(Duration.ofSeconds(60))
          .header("content-type", "image/jpeg").POST(HttpRequest.BodyPublishers.ofFile(file)).build(),
          HttpResponse.BodyHandlers.ofString());
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      report.add(check("Java HttpClient " + Runtime.version().feature() + (expectContinue ? " expectContinue(true)"
          : ""), ms, new JsonObject(r.body())));
    }
    Optional<String> python = pythonWithRequests();
    report.forEach(System.out::println);
    report.clear();
    Assumptions.assumeTrue(python.isPresent(), "needs Python requests (Debian: python3-requests; ./test.sh installs it)");
    Run py = run(python.get() + " -c 'import requests, sys, time\n"
        + "body = open(\"photo.jpg\", \"rb\").read()\n"
        + "t0 = time.monotonic()\n"
        + "r = requests.post(\"http://localhost:" + gateway.httpPort() + CLASSIFY + "\", data=body)\n"
        + "print(round((time.monotonic() - t0) * 1000)); print(r.status_code); print(r.text)'");
    assertThat(py.exit()).as(py.stderr()).isZero();
    String[] lines = py.stdout().split("\n", 3);
    assertThat(lines[1]).as(lines[2]).isEqualTo("200");
    report.add(check("Python requests " + run(python.get() + " -c 'import requests; print(requests.__version__)'")
        .stdout().trim(), Long.parseLong(lines[0]), new JsonObject(lines[2])));

    report.forEach(System.out::println);
  }

  @Test
  @Order(4)
  void a12MbPhotoFromABrowsersFetchClassifiesWithoutAProtocolWait() throws Exception {
    HeadlessChromium chromium = HeadlessChromium.assumeInstalled();
    Path file = work.resolve("photo.jpg");
    if (!Files.exists(file)) {
      Files.write(file, PhonePhotos.of("cat", PhonePhotos.TWELVE_MB));
    }
    ChromeDriver browser = chromium.open();
    try {
      browser.get("http://127.0.0.1:" + gateway.httpPort() + "/");
      ((JavascriptExecutor) browser).executeScript("const input = document.createElement('input');"
          + "input.type = 'file'; input.id = 'upload-probe'; document.body.appendChild(input);");
      browser.findElement(By.id("upload-probe")).sendKeys(file.toString());
      for (boolean typed : new boolean[] {true, false}) {  // as api.md says (file.type), and a Blob with no type
        @SuppressWarnings("unchecked")
        Map<String, Object> result = (Map<String, Object>) ((JavascriptExecutor) browser).executeAsyncScript("""
            const [typed, done] = arguments;
            (async () => {
              const file = document.getElementById('upload-probe').files[0];
              const body = typed ? file : new Blob([await file.arrayBuffer()]);
              const options = {method: 'POST', body};
              if (typed) {
                options.headers = {'content-type': file.type};
              }
              const t0 = performance.now();
              const response = await fetch('/v1/models/cats-vs-dogs:classify', options);
              const text = await response.text();
              done({status: response.status, ms: performance.now() - t0, body: text});
            })().catch(e => done({status: -1, ms: 0, body: String(e)}));
            """, typed);
        assertThat(((Number) result.get("status")).intValue()).as((String) result.get("body")).isEqualTo(200);
        System.out.println(check("Chromium fetch " + browser.getCapabilities().getBrowserVersion()
            + (typed ? " (File, its type)" : " (Blob, no type)"), ((Number) result.get("ms")).longValue(),
            new JsonObject((String) result.get("body"))));
      }
    } finally {
      browser.quit();
    }
  }

  @Test
  @Order(5)
  void aWebpClassifiesAndAHeicPhotoIsRefusedSayingHowToConvertItBothSentAsCurlSendsAFile() throws Exception {
    Files.write(work.resolve("cat.webp"), testImage("cat-lossy.webp"));
    Files.write(work.resolve("IMG_0001.HEIC"), testImage("cat.heic"));
    String url = "localhost:" + gateway.httpPort() + CLASSIFY;
    Run webp = run("curl -s --data-binary @cat.webp " + url);
    assertThat(webp.exit()).as(webp.stderr()).isZero();
    assertThat(new JsonObject(webp.stdout()).getJsonArray("predictions").getJsonObject(0).getString("label"))
        .as(webp.stdout()).isIn("cat", "dog");
    // the gateway takes it as an image (its bytes say so); the worker's decoder refuses it
    Run heic = run("curl -s -w '\n%{http_code}' --data-binary @IMG_0001.HEIC " + url);
    String[] answer = heic.stdout().split("\n");
    assertThat(answer[answer.length - 1]).as(heic.stdout()).isEqualTo("415");
    JsonObject error = new JsonObject(answer[0]).getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("UNSUPPORTED_MEDIA_TYPE");
    assertThat(error.getString("message")).contains("HEIC", "convert to JPEG", "heif-convert");
  }

  /** One of the library's test images (convnet's test jar: real files, see its images/README.md). */
  static byte[] testImage(String name) throws IOException {
    try (var in = StockClientsE2ETest.class.getResourceAsStream("/images/" + name)) {
      assertThat(in).as(name).isNotNull();
      return in.readAllBytes();
    }
  }

  /** The answer is a prediction; the line that says where the time went. */
  static String check(String client, long clientMs, JsonObject reply) {
    assertThat(reply.getJsonArray("predictions").getJsonObject(0).getString("label")).isIn("cat", "dog");
    JsonObject t = reply.getJsonObject("timing");
    return String.format("%-46s %5d ms in all: upload %.0f ms, gateway %.0f ms (worker decode %.0f, compute %.1f)",
        client, clientMs, t.getDouble("uploadMs"), t.getDouble("serverMs"), t.getDouble("decodeMs"),
        t.getDouble("computeMs"));
  }

  // ---- the documented commands

  /**
   * The {@code curl} commands in the fenced code blocks of the section under {@code heading}, a
   * command's continuation lines ({@code \} at the end) joined as the shell joins them.
   */
  /** Our own classify API: {@code .../classify}, or the deprecated {@code ...:classify}. */
  static final java.util.regex.Pattern CLASSIFY_API = java.util.regex.Pattern.compile("[/:]classify\\b");

  static List<String> curlCommands(Path markdown, String heading) throws IOException {
    List<String> lines = Files.readAllLines(markdown);
    int start = -1;
    for (int i = 0; i < lines.size() && start < 0; i++) {
      start = lines.get(i).startsWith(heading) ? i : -1;
    }
    assertThat(start).as("heading '" + heading + "' in " + markdown).isNotNegative();
    int level = heading.indexOf(' ');
    List<String> commands = new ArrayList<>();
    boolean fenced = false;
    StringBuilder command = null;
    for (int i = start + 1; i < lines.size(); i++) {
      String line = lines.get(i);
      if (!fenced && line.matches("^#{1," + level + "} .*")) {
        break;
      }
      if (line.trim().startsWith("```")) {
        fenced = !fenced;
        continue;
      }
      if (!fenced) {
        continue;
      }
      if (command != null) {
        command.append('\n').append(line);
      } else if (line.trim().startsWith("curl ")) {
        command = new StringBuilder(line.trim());
      }
      if (command != null && !line.endsWith("\\")) {
        commands.add(command.toString());
        command = null;
      }
    }
    return commands;
  }

  /** Runs a documented command (only its port changed) and checks its answer: JSON without an error, a 200, a PNG. */
  static void runAndCheck(String documented) {
    String command = documented.replace("localhost:8080", "localhost:" + gateway.httpPort());
    Run r = run(command);
    System.out.printf("$ %s%n%s%n", documented, r.stdout().length() > 300 ? r.stdout().substring(0, 300) + " ..."
        : r.stdout());
    assertThat(r.exit()).as(documented + "\n" + r.stderr()).isZero();
    int redirect = command.indexOf(" > ");
    if (redirect >= 0) {
      Path out = work.resolve(command.substring(redirect + 3).trim().split("\\s+")[0]);
      try {
        byte[] png = Files.readAllBytes(out);
        assertThat(new String(png, 1, 3, StandardCharsets.ISO_8859_1)).as(documented + " wrote " + out).isEqualTo("PNG");
      } catch (IOException e) {
        throw new AssertionError(documented + " wrote no " + out, e);
      }
    } else if (command.contains("curl -si ")) {
      assertThat(r.stdout()).as(documented).startsWith("HTTP/1.1 200");
    } else {
      List<JsonNode> answers = json(r.stdout(), documented);
      assertThat(answers).as(documented).isNotEmpty().allSatisfy(a -> assertThat(a.has("error")).as(a.toString()).isFalse());
      if (CLASSIFY_API.matcher(command).find() && !command.contains("examples")) {  // ours, not TF Serving's
        JsonNode predictions = answers.get(0).get("predictions");
        assertThat(predictions).as(r.stdout()).isNotEmpty();
        predictions.forEach(p -> assertThat(p.get("label").asText()).isIn("cat", "dog"));
      }
    }
  }

  static List<JsonNode> json(String text, String command) {
    List<JsonNode> values = new ArrayList<>();
    try (MappingIterator<JsonNode> it = new ObjectMapper().readerFor(JsonNode.class).readValues(text)) {
      it.forEachRemaining(values::add);
    } catch (IOException | RuntimeException e) {
      throw new AssertionError(command + " answered no JSON: " + text, e);
    }
    return values;
  }

  // ---- processes

  record Run(int exit, String stdout, String stderr) {
  }

  /** {@code bash -c command} in the work folder, as a user types it there. */
  static Run run(String command) {
    try {
      Path out = Files.createTempFile(tmp, "out", ".txt");
      Path err = Files.createTempFile(tmp, "err", ".txt");
      Process p = new ProcessBuilder("bash", "-c", command).directory(work.toFile())
          .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("still running after 120 s: " + command);
      }
      return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static String curlVersion() {
    return run("curl --version").stdout().split(" ")[1];
  }

  /** A Python 3 that has {@code requests}: Debian's python3-requests is in /usr/bin/python3. */
  static Optional<String> pythonWithRequests() {
    for (String python : List.of("/usr/bin/python3", "python3")) {
      if (run(python + " -c 'import requests' 2>/dev/null").exit() == 0) {
        return Optional.of(python);
      }
    }
    return Optional.empty();
  }

  static Optional<Path> onPath(String name) {
    return Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator))
        .map(dir -> Path.of(dir, name)).filter(Files::isExecutable).findFirst();
  }
}
