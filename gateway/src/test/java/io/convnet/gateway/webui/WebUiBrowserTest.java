package io.convnet.gateway.webui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.convnet.gateway.GatewayMain;
import io.convnet.gateway.access.TestTokens;
import io.convnet.gateway.visualize.VisualizeRoutes;
import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kit.config.Settings;
import io.convnet.kit.launch.RunningService;
import io.convnet.kit.testing.TestServices;
import io.convnet.proto.Topics;
import io.convnet.proto.TrainEvent;
import io.vertx.core.json.JsonObject;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
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
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web page in a real browser (headless Chromium through chromedriver, both Debian packages)
 * against a real gateway and Kafka: classify answers come over Kafka from a stand-in worker that
 * decodes the image ({@link LumaWorker}); the test plays the trainer on the events topic, as
 * {@code TrainingJobsApiTest} does, and watches the page draw each epoch as it arrives.
 */
@ExtendWith(KafkaBrokerExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebUiBrowserTest {
  static final Duration WAIT = Duration.ofSeconds(20);
  static final float JS_FLOAT_TOLERANCE = 1e-4f;
  /** How long this gateway waits for a visualizer (there is none here): short, so the 504 comes quickly. */
  static final int VISUALIZE_TIMEOUT_MS = 1500;

  static RunningService gateway;
  static RunningService worker;
  static KafkaProducer<String, byte[]> producer;
  static ChromeDriver browser;
  static WebDriverWait wait;
  /** Starting and cancelling jobs need a token: the page sends the one entered in its Token field. */
  static TestTokens tokens;
  @TempDir
  static Path temp;

  @BeforeAll
  static void start() throws Exception {
    HeadlessChromium chromium = HeadlessChromium.assumeInstalled();

    tokens = TestTokens.write(Files.createDirectories(temp.resolve("tokens")));
    Map<String, String> env = new java.util.HashMap<>(tokens.env());
    env.putAll(Map.of(Settings.STATUS_WINDOW_MS.name(), "1500",
        VisualizeRoutes.TIMEOUT_MS.name(), String.valueOf(VISUALIZE_TIMEOUT_MS)));
    gateway = TestServices.start(GatewayMain.DEFINITION, env);
    worker = TestServices.start(LumaWorker.definition(), Map.of());
    producer = new KafkaProducer<>(Map.of("bootstrap.servers", KafkaBrokerExtension.bootstrapServers()),
        new StringSerializer(), new ByteArraySerializer());
    long until = System.nanoTime() + WAIT.toNanos();
    while (TestServices.get(gateway.httpPort(), "/health/ready").statusCode() != 200) {
      assertThat(System.nanoTime()).as("gateway ready").isLessThan(until);
      Thread.sleep(50);
    }

    browser = chromium.open();
    wait = HeadlessChromium.waiting(browser, WAIT);
    browser.get("http://127.0.0.1:" + gateway.httpPort() + "/");
    wait.until(d -> "true".equals(d.findElement(By.tagName("html")).getDomAttribute("data-ready")));
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (producer != null) {
      producer.close();
    }
    TestServices.stop(gateway, worker);
  }

  /** A JPEG of the shared data set (the first of its folder), or one drawn here when the data set is absent. */
  static Path jpeg(String label, Color fallback) throws IOException {
    Path folder = Path.of(System.getProperty("convnet.datasets", "../shared/datasets"), "cats-vs-dogs", "validation", label);
    if (Files.isDirectory(folder)) {
      try (Stream<Path> files = Files.list(folder)) {
        Optional<Path> first = files.filter(p -> p.toString().endsWith(".jpg")).sorted().findFirst();
        if (first.isPresent()) {
          return first.get().toRealPath();  // chromedriver takes canonical paths only
        }
      }
    }
    BufferedImage image = new BufferedImage(180, 180, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setColor(fallback);
    g.fillRect(0, 0, 180, 180);
    g.setColor(Color.GRAY);
    g.fillOval(40, 40, 100, 100);
    g.dispose();
    Path file = temp.resolve(label + ".jpg");
    ImageIO.write(image, "jpg", file.toFile());
    return file.toRealPath();
  }

  static WebElement find(String css) {
    return browser.findElement(By.cssSelector(css));
  }

  static WebElement visible(String css) {
    return wait.until(d -> {
      WebElement e = d.findElement(By.cssSelector(css));
      return e.isDisplayed() ? e : null;
    });
  }

  /** Scrolls {@code css} to the middle of the window at once (the page scrolls smoothly) and clicks it. */
  static void click(String css) {
    WebElement e = find(css);
    js("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", e);
    e.click();
  }

  static void awaitAttribute(String css, String attribute, String value) {
    wait.withMessage(css + " [" + attribute + "=" + value + "]")
        .until(d -> value.equals(d.findElement(By.cssSelector(css)).getDomAttribute(attribute)));
  }

  static Object js(String script, Object... args) {
    return ((JavascriptExecutor) browser).executeScript(script, args);
  }

  /** The prediction shown for {@code file}, checked against what the worker computes from the same bytes. */
  static void assertShowsPrediction(Path file) throws IOException {
    float light = LumaWorker.light(Files.readAllBytes(file));
    String label = light >= 0.5f ? LumaWorker.LIGHT : LumaWorker.DARK;
    float probability = Math.max(light, 1 - light);
    WebElement prediction = wait.until(d -> d.findElements(By.cssSelector("#classify-predictions .prediction")).stream()
        .filter(p -> p.isDisplayed() && p.getText().contains(file.getFileName().toString()))
        .findFirst().orElse(null));
    assertThat(prediction.getDomAttribute("data-label")).isEqualTo(label);
    assertThat(Float.parseFloat(prediction.getDomAttribute("data-probability"))).isCloseTo(probability,
        within(JS_FLOAT_TOLERANCE));
    assertThat(prediction.findElement(By.className("prediction-label")).getText()).isEqualTo(label);
    assertThat(prediction.findElement(By.className("prediction-prob")).getText())
        .isEqualTo(String.format(java.util.Locale.ROOT, "%.1f%%", probability * 100));
    List<WebElement> bars = prediction.findElements(By.cssSelector(".bars li"));
    assertThat(bars).extracting(b -> b.getDomAttribute("data-label")).containsExactly(label,
        label.equals(LumaWorker.LIGHT) ? LumaWorker.DARK : LumaWorker.LIGHT);
    assertThat(find("#classify-model-version").getText()).isEqualTo(LumaWorker.MODEL + " v" + LumaWorker.VERSION);
    assertThat(find("#classify-worker").getText()).isEqualTo(worker.kit().instanceId());
    assertThat(find("#classify-latency").getText()).endsWith("ms round trip");
    assertThat(find("#classify-error").isDisplayed()).isFalse();
  }

  @Test
  @Order(1)
  void aChosenAndADroppedJpegAreClassifiedOverKafka() throws Exception {
    awaitAttribute("#models-status", "data-state", "ok");
    assertThat(find("#classify-model").getDomProperty("value")).isEqualTo(LumaWorker.MODEL);

    Path cat = jpeg("cat", new Color(230, 220, 200));
    find("#classify-file").sendKeys(cat.toAbsolutePath().toString());
    assertShowsPrediction(cat);
    // the classified image is the one the Visualize section explains next
    visible("#viz-preview");

    // A drop as a user makes it: a File in a DataTransfer, dispatched on the drop zone.
    Path dog = jpeg("dog", new Color(30, 30, 40));
    Object dropped = js("""
        const [b64, name] = arguments;
        const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
        const file = new File([bytes], name, {type: 'image/jpeg'});
        const data = new DataTransfer();
        data.items.add(file);
        const zone = document.querySelector('#classify-drop');
        for (const type of ['dragenter', 'dragover', 'drop']) {
          zone.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: data}));
        }
        return zone.classList.contains('dragover') ? 'still highlighted' : 'dropped';
        """, Base64.getEncoder().encodeToString(Files.readAllBytes(dog)), dog.getFileName().toString());
    assertThat(dropped).isEqualTo("dropped");
    assertShowsPrediction(dog);
  }

  @Test
  @Order(2)
  void aFileThatIsNoImageGetsTheGatewaysOrTheWorkersErrorShown() throws Exception {
    Path text = Files.writeString(temp.resolve("notes.txt"), "not an image").toRealPath();
    find("#classify-file").sendKeys(text.toString());
    awaitAttribute("#classify-error", "data-status", "415");
    WebElement error = visible("#classify-error");
    assertThat(error.getText()).contains("notes.txt", "415 UNSUPPORTED_MEDIA_TYPE", "Only JPEG and PNG");
    assertThat(find("#classify-result").isDisplayed()).isFalse();

    // Bytes that claim to be a JPEG reach the worker, whose refusal comes back over Kafka.
    Path fake = Files.write(temp.resolve("broken.jpg"), "\u00ff\u00d8 definitely not a JPEG".getBytes(StandardCharsets.ISO_8859_1)).toRealPath();
    find("#classify-file").sendKeys(fake.toString());
    awaitAttribute("#classify-error", "data-status", "400");
    assertThat(find("#classify-error").getText()).contains("broken.jpg", "400 INVALID_ARGUMENT",
        "image 0 ('", "not a decodable JPEG or PNG image");
  }

  /** Enters {@code token} in the page's Token field and waits until the page has checked it. */
  static void useToken(String token, String shown) {
    WebElement input = find("#token-input");
    input.clear();
    input.sendKeys(token);
    input.submit();
    wait.until(d -> d.findElement(By.id("token-status")).getText().equals(shown));
  }

  @Test
  @Order(3)
  void aJobStartedOnThePageDrawsEachEpochAsItsEventArrivesAndCanBeCancelled() throws Exception {
    useToken(tokens.admin(), "admin (admin)");
    WebElement epochs = find("#train-form input[name=epochs]");
    epochs.clear();
    epochs.sendKeys("3");
    find("#train-form input[name=model]").clear();
    find("#train-form input[name=model]").sendKeys("webui-job");
    click("#train-submit");
    visible("#job-view");
    String id = wait.until(d -> Optional.ofNullable(d.findElement(By.id("job-view")).getDomAttribute("data-job-id"))
        .filter(s -> !s.isEmpty()).orElse(null));
    JsonObject job = new JsonObject(TestServices.get(gateway.httpPort(), "/v1/training-jobs/" + id).body());
    assertThat(job.getJsonObject("spec").getInteger("epochs")).isEqualTo(3);
    assertThat(job.getJsonObject("spec").getString("model")).isEqualTo("webui-job");
    wait.until(d -> d.findElement(By.id("job-stream")).getText().equals("live"));
    wait.until(d -> !d.findElements(By.cssSelector("#jobs-table tr[data-job-id='" + id + "']")).isEmpty());
    assertThat(find("#chart-loss").getDomAttribute("data-points")).isEqualTo("0");

    emit(id, TrainEvent.newBuilder().setStarted(TrainEvent.Started.newBuilder().setTrainImages(40)
        .setValidationImages(20).addLabels("cat").addLabels("dog").setEpochs(3).setBatchesPerEpoch(10)
        .setParameters(3_453_121).setImageSize(150)));
    awaitAttribute("#job-view", "data-state", "running");
    wait.until(d -> d.findElement(By.id("job-summary")).getText().contains("3,453,121 parameters"));

    emit(id, TrainEvent.newBuilder().setProgress(TrainEvent.BatchProgress.newBuilder().setEpoch(1).setBatch(5)
        .setBatches(10).setLoss(0.7).setAccuracy(0.52).setImagesPerSecond(41)));
    wait.until(d -> d.findElement(By.id("job-progress-text")).getText().contains("epoch 1 of 3 · batch 5/10"));
    awaitAttribute("#chart-loss", "data-live", "true");
    assertThat(Double.parseDouble(find("#job-progress").getDomAttribute("aria-valuenow"))).isCloseTo(16.7, within(0.1));

    emit(id, epoch(1, 0.69, 0.55, 0.68, 0.6));
    awaitAttribute("#chart-loss", "data-points", "1");
    awaitAttribute("#chart-accuracy", "data-points", "1");
    awaitAttribute("#chart-loss", "data-live", "false");
    long inkAfterOne = ink("#chart-loss");
    emit(id, epoch(2, 0.61, 0.66, 0.63, 0.7));
    awaitAttribute("#chart-loss", "data-points", "2");
    awaitAttribute("#chart-accuracy", "data-points", "2");
    assertThat(ink("#chart-loss")).as("training curve pixels after epoch 2 vs 1").isGreaterThan(inkAfterOne);
    assertThat(ink("#chart-accuracy")).isPositive();
    assertThat(find("#chart-accuracy").getDomAttribute("aria-label")).contains("2 epochs", "epoch 2: training 0.66");
    assertThat(browser.findElements(By.cssSelector("#epoch-table tbody tr"))).hasSize(2);

    click("#job-cancel");
    awaitAttribute("#job-view", "data-cancel-requested", "true");
    assertThat(new JsonObject(TestServices.get(gateway.httpPort(), "/v1/training-jobs/" + id).body())
        .getBoolean("cancelRequested")).isTrue();
    emit(id, TrainEvent.newBuilder().setCancelled(TrainEvent.Cancelled.newBuilder().setEpoch(2)));
    awaitAttribute("#job-view", "data-state", "cancelled");
    assertThat(find("#job-message").getText()).isEqualTo("Cancelled after 2 epochs.");
    assertThat(find("#job-cancel").isDisplayed()).isFalse();
    wait.until(d -> "cancelled".equals(d.findElement(By.cssSelector("#jobs-table tr[data-job-id='" + id + "']"))
        .getDomAttribute("data-state")));
  }

  @Test
  @Order(4)
  void aJobStartedWithoutATokenOrWithTooLowARoleGetsAHintAndWithTheAdminTokenStarts() {
    String before = find("#job-view").getDomAttribute("data-job-id");
    click("#token-forget");
    wait.until(d -> d.findElement(By.id("token-status")).getText().equals("no token"));
    assertThat(find("#token-forget").isDisplayed()).isFalse();
    find("#train-form input[name=model]").clear();
    find("#train-form input[name=model]").sendKeys("webui-token");
    click("#train-submit");
    awaitAttribute("#train-error", "data-status", "401");
    assertThat(visible("#train-error").getText()).contains("The job was not started: 401 UNAUTHENTICATED",
        "needs a bearer token with role trainer", "paste one into the Token field", "run/admin.token");

    useToken(tokens.reader(), "reader (reader)");
    click("#train-submit");
    awaitAttribute("#train-error", "data-status", "403");
    assertThat(find("#train-error").getText()).contains("403 PERMISSION_DENIED", "needs role trainer",
        "reader (token) has role reader", "lacks the role");

    useToken("cnv_not-a-token", "token not valid");
    assertThat(find("#token-status").getDomAttribute("data-state")).isEqualTo("bad");

    useToken(tokens.admin(), "admin (admin)");
    click("#train-submit");
    String id = wait.until(d -> Optional.ofNullable(d.findElement(By.id("job-view")).getDomAttribute("data-job-id"))
        .filter(s -> !s.isEmpty() && !s.equals(before)).orElse(null));
    assertThat(find("#train-error").isDisplayed()).isFalse();
    JsonObject job = new JsonObject(TestServices.get(gateway.httpPort(), "/v1/training-jobs/" + id).body());
    assertThat(job.getJsonObject("spec").getString("model")).isEqualTo("webui-token");
    assertThat(browser.executeScript("return sessionStorage.getItem('convnet.token')")).isEqualTo(tokens.admin());
  }

  @Test
  @Order(5)
  void withoutAVisualizerTheVisualizeSectionSaysNoneAnsweredInTime() {
    // the model list names the model's convolutions: the layer fields suggest those
    assertThat(browser.findElements(By.cssSelector("#layer-names option"))).extracting(o -> o.getDomAttribute("value"))
        .containsExactlyElementsOf(LumaWorker.CONV_LAYERS);
    assertThat(find("#viz-filter-layer").getDomProperty("value")).isEqualTo(LumaWorker.CONV_LAYERS.get(0));

    // the image classified in test 1 is the one explained; no visualizer takes the request
    click("#viz-grad-cam");
    visible("#viz-busy");
    awaitAttribute("#viz-error", "data-status", "504");
    assertThat(find("#viz-error").getText()).contains("504 DEADLINE_EXCEEDED",
        "no reply to visualize within " + VISUALIZE_TIMEOUT_MS + " ms", "is visualizer-service running");
    assertThat(find("#viz-busy").isDisplayed()).isFalse();
    assertThat(find("#viz-result").isDisplayed()).isFalse();
    assertThat(find("#viz-unavailable").isDisplayed()).as("only a gateway without the routes is 'not available'")
        .isFalse();
    assertThat(find("#viz-grad-cam").isEnabled()).isTrue();
  }

  @Test
  @Order(6)
  void theClusterPanelListsTheInstancesAndThePageLoggedNoErrors() {
    click("#cluster-refresh");
    wait.until(d -> !d.findElements(By.cssSelector("#cluster-table tr[data-instance='" + worker.kit().instanceId()
        + "'][data-ready=true]")).isEmpty());
    assertThat(browser.findElements(By.cssSelector("#cluster-table tr[data-instance='" + gateway.kit().instanceId() + "']")))
        .hasSize(1);
    assertThat(find("#cluster-pill").getText()).matches("cluster: \\d+ instances, \\d+ ready");

    // Refused requests log "Failed to load resource" (they were meant to fail); anything else is a page error.
    List<String> problems = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue())
        .map(LogEntry::getMessage)
        .filter(m -> !m.contains("Failed to load resource"))
        .toList();
    assertThat(problems).as("browser console").isEmpty();
  }

  static TrainEvent.Builder epoch(int epoch, double loss, double accuracy, double valLoss, double valAccuracy) {
    return TrainEvent.newBuilder().setEpoch(TrainEvent.EpochEnd.newBuilder().setEpoch(epoch).setEpochs(3)
        .setLoss(loss).setAccuracy(accuracy).setValLoss(valLoss).setValAccuracy(valAccuracy).setSeconds(2.5)
        .setBest(true));
  }

  /** What a trainer writes for {@code jobId}. */
  static void emit(String jobId, TrainEvent.Builder event) throws Exception {
    TrainEvent e = event.setJobId(jobId).setTimestampMs(System.currentTimeMillis()).setInstance("trainer-webui-test").build();
    producer.send(new ProducerRecord<>(Topics.TRAIN_EVENTS.name(), jobId, e.toByteArray())).get();
  }

  /** Pixels of the canvas in the training curve's colour (#1d4ed8, give or take anti-aliasing). */
  static long ink(String canvas) {
    return ((Number) js("""
        const c = document.querySelector(arguments[0]);
        const copy = document.createElement('canvas');
        copy.width = c.width;
        copy.height = c.height;
        const g = copy.getContext('2d', {willReadFrequently: true});
        g.drawImage(c, 0, 0);
        const d = g.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) {
          if (d[i + 3] > 200 && d[i] < 80 && d[i + 1] < 120 && d[i + 2] > 170) n++;
        }
        return n;
        """, canvas)).longValue();
  }
}
