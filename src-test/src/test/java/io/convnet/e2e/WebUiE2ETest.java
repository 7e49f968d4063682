package io.convnet.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.testing.TinyBundles;
import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import javax.imageio.ImageIO;
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
 * The web page in headless Chromium against the whole chain: gateway, inference worker and visualizer
 * as their own JVMs over one small trained bundle. The page classifies a real photo (a bar image when
 * the data set is absent), then shows feature maps, saliency and Grad-CAM of it and the patterns of a
 * filter job and a class job; each image the page shows is compared with what the API answers for the
 * same request.
 */
@ExtendWith(KafkaBrokerExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebUiE2ETest {
  static final String MODEL = "bars";
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  /** The requests meant to fail (URL part, status): the browser logs them, nothing else may be logged. */
  static final Map<String, Integer> DELIBERATE_FAILURES = Map.of("/bars/feature-maps?layers=conv_9", 400,
      "/v1/models/nope/saliency", 404);

  @TempDir
  static Path tmp;
  static PageChain chain;
  static ServiceProcess gateway;
  static ServiceProcess worker;
  static ServiceProcess visualizer;
  static Path photo;
  static ChromeDriver browser;
  static WebDriverWait wait;

  @BeforeAll
  static void start() throws Exception {
    chain = PageChain.start(tmp, "webui-e2e", (store, data) -> TinyBundles.trained(store, MODEL, data), MODEL);
    gateway = chain.gateway;
    worker = chain.worker;
    visualizer = chain.visualizer;
    browser = chain.browser;
    wait = chain.wait;
    Path dog = Path.of(System.getProperty("convnet.datasets", "../shared/datasets"),
        "cats-vs-dogs", "validation", "dog", "dog.1000.jpg");
    photo = (Files.exists(dog) ? dog : tmp.resolve("data/bars/validation/dog/dog.0.png")).toRealPath();
  }

  @AfterAll
  static void stop() {
    if (chain != null) {
      chain.close();
    }
  }

  static WebElement find(String css) {
    return browser.findElement(By.cssSelector(css));
  }

  static Object js(String script, Object... args) {
    return ((JavascriptExecutor) browser).executeScript(script, args);
  }

  /** Scrolls {@code css} into the window at once and clicks it. */
  static void click(String css) {
    WebElement e = find(css);
    js("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", e);
    e.click();
  }

  static void type(String css, String text) {
    WebElement e = find(css);
    e.clear();
    if (!text.isEmpty()) {
      e.sendKeys(text);
    }
  }

  static void awaitAttribute(String css, String attribute, String value) {
    wait.withMessage(css + " [" + attribute + "=" + value + "]")
        .until(d -> value.equals(d.findElement(By.cssSelector(css)).getDomAttribute(attribute)));
  }

  /** The Visualize section idle again (its buttons are disabled while a request or job runs). */
  static void awaitIdle() {
    wait.withMessage("Visualize idle").until(d -> !find("#viz-busy").isDisplayed() && find("#viz-filters").isEnabled());
  }

  /**
   * Waits until the page shows a decoded image of {@code kind} and returns its natural size (the
   * browser decoded the PNG: complete with a positive width), failing at once on an error shown.
   */
  static int[] awaitShownImage(String kind) {
    wait.withMessage("a decoded " + kind + " image").until(d -> {
      WebElement error = find("#viz-error");
      assertThat(error.isDisplayed()).as("Visualize error: %s", error.getText()).isFalse();
      return (Boolean) js("""
          const img = document.querySelector('#viz-image');
          return img.dataset.kind === arguments[0] && img.complete && img.naturalWidth > 0
              && !document.querySelector('#viz-result').hidden;
          """, kind);
    });
    assertThat(find("#viz-image").isDisplayed()).isTrue();
    assertThat(find("#viz-empty").isDisplayed()).isFalse();
    @SuppressWarnings("unchecked")
    List<Number> size = (List<Number>) js("const i = document.querySelector('#viz-image'); "
        + "return [i.naturalWidth, i.naturalHeight, i.getBoundingClientRect().width];");
    assertThat(size.get(2).doubleValue()).as("drawn width").isPositive();
    return new int[] {size.get(0).intValue(), size.get(1).intValue()};
  }

  static HttpResponse<byte[]> api(String method, String path, byte[] body, String accept) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port + path))
        .timeout(Duration.ofSeconds(30)).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    if (body != null) {
      b.header("content-type", photo.toString().endsWith(".png") ? "image/png" : "image/jpeg");
    }
    if (accept != null) {
      b.header("accept", accept);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** Width and height of the PNG the API answers. */
  static int[] pngSize(HttpResponse<byte[]> r) throws Exception {
    assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).contains("image/png");
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(r.body()));
    return new int[] {image.getWidth(), image.getHeight()};
  }

  @Test
  @Order(1)
  void aPhotoIsClassifiedByTheWorkerAndBecomesTheImageToExplain() throws Exception {
    awaitAttribute("#models-status", "data-state", "ok");
    assertThat(find("#classify-model").getDomProperty("value")).isEqualTo(MODEL);
    find("#classify-file").sendKeys(photo.toString());

    WebElement prediction = wait.until(d -> d.findElements(By.cssSelector("#classify-predictions .prediction")).stream()
        .filter(WebElement::isDisplayed).findFirst().orElse(null));
    JsonObject expected = new JsonObject(new String(api("POST", "/v1/models/" + MODEL + "/classify",
        Files.readAllBytes(photo), null).body())).getJsonArray("predictions").getJsonObject(0);
    assertThat(prediction.getDomAttribute("data-label")).isEqualTo(expected.getString("label")).isIn("cat", "dog");
    assertThat(Double.parseDouble(prediction.getDomAttribute("data-probability")))
        .isCloseTo(expected.getDouble("probability"), within(1e-6));
    assertThat(prediction.getText()).contains(photo.getFileName().toString());
    assertThat(find("#classify-model-version").getText()).isEqualTo(MODEL + " v1");
    assertThat(find("#classify-worker").getText()).isEqualTo(worker.instanceId);
    assertThat(find("#classify-error").isDisplayed()).isFalse();

    // the classified photo is what Visualize explains; the model list named the model's convolutions
    wait.until(d -> find("#viz-preview").isDisplayed());
    assertThat(browser.findElements(By.cssSelector("#layer-names option"))).extracting(o -> o.getDomAttribute("value"))
        .containsExactly("conv_1", "conv_2");
    assertThat(find("#viz-filter-layer").getDomProperty("value")).isEqualTo("conv_1");
  }

  @Test
  @Order(2)
  void featureMapsSaliencyAndGradCamOfThePhotoAreShown() throws Exception {
    byte[] bytes = Files.readAllBytes(photo);
    type("#viz-layers", "");
    type("#viz-channels", "4");
    click("#viz-feature-maps");
    int[] maps = awaitShownImage("feature-maps");
    assertThat(maps).containsExactly(pngSize(api("POST", "/v1/models/" + MODEL + "/feature-maps?channels=4", bytes,
        null)));
    assertThat(maps[0]).as("4 tiles a row").isGreaterThanOrEqualTo(4 * TinyBundles.SIZE);
    assertThat(maps[1]).isGreaterThan(TinyBundles.SIZE);
    assertThat(find("#viz-caption").getText()).startsWith("Feature maps of every convolutional layer · "
        + photo.getFileName());
    awaitIdle();

    new Select(find("#viz-label")).selectByValue("cat");
    click("#viz-saliency");
    int[] saliency = awaitShownImage("saliency");
    assertThat(saliency).containsExactly(pngSize(api("POST", "/v1/models/" + MODEL + "/saliency?label=cat", bytes,
        null)));
    assertThat(saliency[0]).as("input, map, overlay side by side").isGreaterThan(saliency[1]);
    assertThat(find("#viz-caption").getText()).startsWith("Saliency for cat");
    awaitIdle();

    type("#viz-layers", "conv_1");
    new Select(find("#viz-label")).selectByValue("");
    click("#viz-grad-cam");
    int[] cam = awaitShownImage("grad-cam");
    assertThat(cam).containsExactly(pngSize(api("POST", "/v1/models/" + MODEL + "/grad-cam?layer=conv_1", bytes,
        null)));
    assertThat(cam[0]).as("input, map, overlay side by side").isGreaterThan(cam[1]);
    assertThat(find("#viz-caption").getText()).startsWith("Grad-CAM for the predicted class at conv_1");
    awaitIdle();
  }

  @Test
  @Order(3)
  void anUnknownLayerOrModelIsRefusedWithWhatIsKnownNamed() {
    type("#viz-layers", "conv_9");
    click("#viz-feature-maps");
    awaitAttribute("#viz-error", "data-status", "400");
    assertThat(find("#viz-error").getText()).contains("400 INVALID_ARGUMENT", "unknown layer 'conv_9'",
        "conv_1, maxpool_1, conv_2", "Pick one of the layers named above");
    awaitIdle();
    type("#viz-layers", "");

    // a model the visualizer does not have (as when the list is stale): its 404, not "not available here"
    js("document.querySelector('#viz-model').append(new Option('nope', 'nope'));");
    new Select(find("#viz-model")).selectByValue("nope");
    click("#viz-saliency");
    awaitAttribute("#viz-error", "data-status", "404");
    assertThat(find("#viz-error").getText()).contains("404 NOT_FOUND", "known models: " + MODEL,
        "Choose a model the visualizer knows");
    assertThat(find("#viz-unavailable").isDisplayed()).isFalse();
    awaitIdle();
    new Select(find("#viz-model")).selectByValue(MODEL);
  }

  @Test
  @Order(4)
  void aFilterJobAndAClassJobRunToDoneAndShowTheirPatterns() throws Exception {
    type("#viz-count", "3");
    type("#viz-steps", "10");
    recordJobStates();
    click("#viz-filters");
    int[] filters = awaitShownImage("filters");
    assertJobRanToDone();
    assertThat(find("#viz-caption").getText()).startsWith("What the first 3 filters of conv_1 respond to · "
        + MODEL + " v1");
    // the same request again is the finished job: 303 to the very PNG the page shows
    HttpResponse<byte[]> again = api("POST", "/v1/models/" + MODEL + "/filters?layers=conv_1&count=3&steps=10", null,
        null);
    assertThat(again.statusCode()).as(new String(again.body())).isEqualTo(303);
    assertThat(filters).containsExactly(pngSize(api("GET", again.headers().firstValue("location").orElseThrow(), null,
        null)));
    assertThat(filters[0]).as("3 filters").isGreaterThanOrEqualTo(3 * TinyBundles.SIZE);
    awaitIdle();

    new Select(find("#viz-class")).selectByValue("dog");
    recordJobStates();
    click("#viz-class-output");
    int[] cls = awaitShownImage("class");
    assertJobRanToDone();
    assertThat(find("#viz-caption").getText()).startsWith("What the model takes for \"dog\"");
    JsonObject status = new JsonObject(new String(api("POST", "/v1/models/" + MODEL + "/classes/dog?steps=10", null,
        "application/json").body()));
    assertThat(status.getString("state")).isEqualTo("done");
    assertThat(cls).containsExactly(pngSize(api("GET", status.getString("result"), null, null)));
    assertThat(cls[0]).isGreaterThanOrEqualTo(TinyBundles.SIZE);
    awaitIdle();
  }

  /** Collects every text the job line shows from now on (the page polls once a second). */
  static void recordJobStates() {
    js("""
        window.jobTexts = [];
        if (window.jobObserver) window.jobObserver.disconnect();
        const text = document.querySelector('#viz-job-text');
        window.jobObserver = new MutationObserver(() => window.jobTexts.push(text.textContent));
        window.jobObserver.observe(text, {childList: true, characterData: true, subtree: true});
        """);
  }

  /** The job was started (202), polled while queued or running, and ended done at 100%. */
  static void assertJobRanToDone() {
    @SuppressWarnings("unchecked")
    List<String> texts = (List<String>) js("return window.jobTexts;");
    assertThat(texts).as("job line").isNotEmpty();
    assertThat(texts.get(0)).matches("(queued|running).*");
    assertThat(texts.get(texts.size() - 1)).isEqualTo("done · 100%");
    assertThat(find("#viz-job").getDomAttribute("data-state")).isEqualTo("done");
    assertThat(find("#viz-job-progress").getDomAttribute("aria-valuenow")).isEqualTo("100");
  }

  @Test
  @Order(5)
  void theBrowserConsoleHasNoErrorsButTheDeliberateOne() {
    List<String> problems = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue())
        .map(LogEntry::getMessage)
        .filter(m -> DELIBERATE_FAILURES.entrySet().stream()
            .noneMatch(f -> m.contains(f.getKey()) && m.contains("status of " + f.getValue())))
        .toList();
    assertThat(problems).as("browser console").isEmpty();
    assertThat(worker.process.isAlive()).as("worker alive").isTrue();
    assertThat(visualizer.process.isAlive()).as("visualizer alive").isTrue();
  }
}
