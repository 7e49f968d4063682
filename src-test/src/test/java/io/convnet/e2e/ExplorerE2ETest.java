package io.convnet.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.testing.BundleCopies;
import io.convnet.testing.TinyBundles;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Stream;
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
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web page's network explorer in headless Chromium against the whole chain (gateway, inference worker and
 * visualizer as their own JVMs): a photo dropped on it shows every layer; hovering units shows windows, maxima
 * and arithmetic, each checked against the numbers the API answers for the same image; and the explorer's routes
 * refuse what they cannot do.
 */
@ExtendWith(KafkaBrokerExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExplorerE2ETest {
  static final String MODEL = "bars";
  /** LeNet-5 trained on the MNIST digits: a bundle committed under src/test/resources/bundles (see its README). */
  static final String LENET = "lenet-5";
  /** Strokes in pad pixels (28x28): a slanting stroke, a one; a bar across its top makes it a seven. */
  static final double[][] SLANT = {{19, 5}, {16, 14}, {12, 24}};
  static final double[][] BAR = {{7, 5}, {19, 5}};
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  /** What the page shows: 4 decimals, so a shown number is within half a unit of the 4th of the true one. */
  static final double SHOWN = 0.5e-4 + 1e-7;

  @TempDir
  static Path tmp;
  static PageChain chain;
  static ServiceProcess gateway;
  static ServiceProcess visualizer;
  static Path photo;
  static JsonObject answer;  // the API's explore answer for the photo
  static ChromeDriver browser;
  static WebDriverWait wait;

  @BeforeAll
  static void start() throws Exception {
    chain = PageChain.start(tmp, "explorer-e2e", (store, data) -> {
      copy(Path.of(ExplorerE2ETest.class.getResource("/bundles/lenet-5/1/manifest.json").toURI()).getParent(),
          store.resolve(LENET).resolve("1"));
      Path bars = TinyBundles.trained(store, MODEL, data);
      BundleCopies.withoutActivations(bars, store, "serving-only");
    }, MODEL);
    gateway = chain.gateway;
    visualizer = chain.visualizer;
    browser = chain.browser;
    wait = chain.wait;
    photo = tmp.resolve("data/bars/validation/dog/dog.1.png").toRealPath();
  }

  @AfterAll
  static void stop() {
    if (chain != null) {
      chain.close();
    }
  }

  // ---- helpers

  static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
  }

  static WebElement find(String css) {
    return browser.findElement(By.cssSelector(css));
  }

  static Object js(String script, Object... args) {
    return ((JavascriptExecutor) browser).executeScript(script, args);
  }

  static HttpResponse<String> api(String method, String path, byte[] body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port + path))
        .timeout(Duration.ofSeconds(30)).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    if (body != null) {
      b.header("content-type", "image/png");
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonObject ok(HttpResponse<String> r) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new JsonObject(r.body());
  }

  static String error(HttpResponse<String> r, int status) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    return new JsonObject(r.body()).getJsonObject("error").getString("message");
  }

  static float[] floats(JsonObject block) {
    assertThat(block.getString("encoding")).isEqualTo("float32");
    ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder().decode(block.getString("data"))).order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[b.remaining() / 4];
    b.asFloatBuffer().get(out);
    return out;
  }

  static JsonObject layer(JsonObject a, String name) {
    return a.getJsonArray("layers").stream().map(JsonObject.class::cast).filter(l -> l.getString("name").equals(name))
        .findFirst().orElseThrow();
  }

  /** The API's value of a spatial layer's unit: its maps are [c][h][w]. */
  static float value(JsonObject a, String name, String block, int c, int y, int x) {
    JsonObject l = layer(a, name);
    int h = l.getJsonArray("shape").getInteger(0);
    int w = l.getJsonArray("shape").getInteger(1);
    return floats(l.getJsonObject(block))[(c * h + y) * w + x];
  }

  static String shown(double v) {
    return String.format(Locale.ROOT, "%.4f", v).replace("-0.0000", "0.0000");
  }

  /** Moves the pointer to unit (y, x) of a map tile (or cell x of a vector's row y), as a user does. */
  static void hover(String layer, String kind, int channel, int y, int x) {
    WebElement canvas = find(".xl-tile[data-layer='" + layer + "'][data-kind='" + kind + "'][data-channel='" + channel
        + "'] canvas");
    js("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", canvas);
    int cols = Integer.parseInt(canvas.getDomAttribute("width"));
    int rows = Integer.parseInt(canvas.getDomAttribute("height"));
    var size = canvas.getSize();
    new Actions(browser).moveToElement(canvas, (int) Math.round((x + 0.5) * size.width / cols - size.width / 2.0),
        (int) Math.round((y + 0.5) * size.height / rows - size.height / 2.0)).perform();
  }

  /** The unit panel once it shows `layer` ready; its data attributes. */
  @SuppressWarnings("unchecked")
  static Map<String, String> panel(String layer) {
    wait.withMessage("the unit panel for " + layer).until(d -> {
      WebElement p = find("#explore-unit");
      assertThat(p.getDomAttribute("data-state")).as("panel: %s", p.getText()).isNotEqualTo("failed");
      return layer.equals(p.getDomAttribute("data-layer")) && "ready".equals(p.getDomAttribute("data-state"));
    });
    return (Map<String, String>) js("return Object.assign({}, document.querySelector('#explore-unit').dataset);");
  }

  /** Marks of class `cls` on `layer`'s tiles: "kind/channel top,left heightxwidth". */
  @SuppressWarnings("unchecked")
  static List<String> marks(String layer, String cls) {
    return (List<String>) js("""
        return [...document.querySelectorAll('.xl-tile[data-layer="' + arguments[0] + '"] .xl-mark.' + arguments[1])]
          .map(m => { const t = m.closest('.xl-tile').dataset;
            return t.kind + '/' + t.channel + ' ' + m.dataset.top + ',' + m.dataset.left + ' ' + m.dataset.height + 'x'
              + m.dataset.width; });
        """, layer, cls);
  }

  static double number(String css) {
    return Double.parseDouble(find(css).getText());
  }

  // ---- tests

  @Test
  @Order(1)
  void aDroppedPhotoShowsEveryLayerOfTheNetworkAsTheApiAnswersIt() throws Exception {
    wait.until(d -> find("#explore-model option[value='" + MODEL + "']") != null);
    new Select(find("#explore-model")).selectByValue(MODEL);
    assertThat(find("#explore-pad-box").isDisplayed()).as("no pad for a photo model").isFalse();
    js("""
        const [b64, name] = arguments;
        const file = new File([Uint8Array.from(atob(b64), c => c.charCodeAt(0))], name, {type: 'image/png'});
        const data = new DataTransfer();
        data.items.add(file);
        const zone = document.querySelector('#explore-drop');
        for (const type of ['dragenter', 'dragover', 'drop']) {
          zone.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: data}));
        }
        """, Base64.getEncoder().encodeToString(Files.readAllBytes(photo)), photo.getFileName().toString());
    wait.until(d -> find("#explore").getDomAttribute("data-answers") != null);
    answer = ok(api("POST", "/v1/models/" + MODEL + "/explore?encoding=float32&channels=16", Files.readAllBytes(photo)));

    assertThat(find("#explore-label").getText()).isEqualTo(answer.getJsonObject("predicted").getString("label"));
    assertThat(Double.parseDouble(find("#explore-label").getDomAttribute("data-probability")))
        .isCloseTo(answer.getJsonObject("predicted").getDouble("probability"), within(1e-6));
    assertThat(browser.findElements(By.cssSelector(".xl-layer"))).extracting(e -> e.getDomAttribute("data-layer"))
        .containsExactly("input", "conv_1", "maxpool_1", "conv_2", "maxpool_2", "flatten", "dropout", "dense_1",
            "output");
    // conv_1: its 8 maps before and after ReLU; maxpool_1: 8 maps; dense_1: a row of 16 nodes before and after
    assertThat(browser.findElements(By.cssSelector(".xl-tile[data-layer='conv_1']"))).hasSize(16);
    assertThat(browser.findElements(By.cssSelector(".xl-tile[data-layer='maxpool_1']"))).hasSize(8);
    assertThat(find(".xl-tile[data-layer='dense_1'][data-kind='preact'] canvas").getDomAttribute("width"))
        .isEqualTo("16");
    assertThat(find("#explore-meta").getText()).contains(MODEL + " v1", "round trip", "KB float32");
    assertThat(find("#explore-error").isDisplayed()).isFalse();
  }

  @Test
  @Order(2)
  void aConvolutionUnitShowsItsWindowKernelAndTheSumThatIsItsPreActivation() throws Exception {
    hover("conv_2", "output", 3, 5, 7);
    Map<String, String> p = panel("conv_2");
    assertThat(p).containsEntry("channel", "3").containsEntry("y", "5").containsEntry("x", "7");
    // 3x3 'same': the window of maxpool_1 starts one row and column before; every channel is outlined
    assertThat(marks("maxpool_1", "window")).hasSize(8).allMatch(m -> m.endsWith(" 4,6 3x3"));
    // through 2x2 pooling and conv_1's 3x3 window: rows 7..14, columns 11..18 of the input
    assertThat(marks("input", "field")).containsExactly("output/0 7,11 8x8");

    float preact = value(answer, "conv_2", "preactivation", 3, 5, 7);
    assertThat(number("#explore-sum")).as("the shown sum").isCloseTo(preact, within(SHOWN));
    assertThat(find("#explore-preact").getText()).isEqualTo(shown(preact));
    assertThat(find("#explore-output").getText()).isEqualTo(shown(value(answer, "conv_2", "output", 3, 5, 7)));

    // the window and kernel shown for one input channel are the API's numbers
    int c = Integer.parseInt(p.get("detailChannel"));
    JsonObject weights = ok(api("GET", "/v1/models/" + MODEL + "/versions/1/layers/conv_2/weights?unit=3", null));
    List<WebElement> tables = browser.findElements(By.cssSelector("#explore-unit .xl-detail table"));
    assertThat(tables).hasSize(3);
    List<WebElement> window = tables.get(0).findElements(By.tagName("td"));
    List<WebElement> kernel = tables.get(1).findElements(By.tagName("td"));
    JsonArray k = weights.getJsonArray("weights").getJsonArray(c);
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        assertThat(window.get(i * 3 + j).getText()).isEqualTo(shown(value(answer, "maxpool_1", "output", c, 4 + i, 6 + j)));
        assertThat(kernel.get(i * 3 + j).getText()).isEqualTo(shown(k.getJsonArray(i).getDouble(j)));
      }
    }
    assertThat(find("#explore-unit").getText()).contains("+ bias (" + shown(weights.getDouble("bias")) + ")");
  }

  @Test
  @Order(3)
  void aPoolingUnitShowsItsTwoByTwoWindowWithTheMaximumItPassesOn() {
    hover("maxpool_1", "output", 2, 3, 4);
    Map<String, String> p = panel("maxpool_1");
    assertThat(p).containsEntry("channel", "2").containsEntry("y", "3").containsEntry("x", "4");
    assertThat(marks("conv_1", "window")).containsExactly("output/2 6,8 2x2");
    int bestRow = 6;
    int bestCol = 8;
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 2; j++) {
        if (value(answer, "conv_1", "output", 2, 6 + i, 8 + j) > value(answer, "conv_1", "output", 2, bestRow, bestCol)) {
          bestRow = 6 + i;
          bestCol = 8 + j;
        }
      }
    }
    assertThat(marks("conv_1", "max")).containsExactly("output/2 " + bestRow + "," + bestCol + " 1x1");
    float pooled = value(answer, "maxpool_1", "output", 2, 3, 4);
    assertThat(pooled).isEqualTo(value(answer, "conv_1", "output", 2, bestRow, bestCol));
    assertThat(find("#explore-max").getText()).isEqualTo(shown(pooled));
    assertThat(find("#explore-output").getText()).isEqualTo(shown(pooled));
    assertThat(find("#explore-unit .xl-grid td.max").getText()).isEqualTo(shown(pooled));
  }

  @Test
  @Order(4)
  void aDenseUnitShowsItsStrongestContributionsAddingUpToItsPreActivation() {
    hover("dense_1", "output", 0, 0, 5);
    Map<String, String> p = panel("dense_1");
    assertThat(p).containsEntry("index", "5");
    float preact = floats(layer(answer, "dense_1").getJsonObject("preactivation"))[5];
    assertThat(number("#explore-sum")).isCloseTo(preact, within(SHOWN));
    assertThat(find("#explore-preact").getText()).isEqualTo(shown(preact));
    assertThat(browser.findElements(By.cssSelector("#explore-unit .xl-contributions tbody tr"))).hasSize(8 + 2);
    assertThat(marks("dropout", "source")).hasSize(8);
  }

  @Test
  @Order(5)
  void theTutorialsWorkedExamplesAreTheApisExactNumbers() throws Exception {
    WebElement examples = find("#explore-examples");
    js("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", examples);
    find("#explore-examples summary").click();
    wait.until(d -> "ready".equals(examples.getDomAttribute("data-state")));
    HttpResponse<String> conv = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port
        + "/v1/explain/convolution")).header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
            "{\"input\": [[3,0,1,2,7],[1,5,8,9,3],[2,7,2,5,1],[0,1,3,1,7],[4,2,1,6,2]], \"kernel\": \"sobel-x\", "
                + "\"stride\": 1, \"padding\": \"same\"}")).build(), HttpResponse.BodyHandlers.ofString());
    JsonObject expected = ok(conv);
    for (String matrix : List.of("featureMap", "rectified", "pooled")) {
      List<WebElement> cells = examples.findElements(By.cssSelector("[data-matrix='" + matrix + "'] td"));
      JsonArray rows = expected.getJsonArray(matrix);
      assertThat(cells).hasSize(rows.size() * rows.getJsonArray(0).size());
      for (int i = 0; i < cells.size(); i++) {
        double v = rows.getJsonArray(i / rows.getJsonArray(0).size()).getDouble(i % rows.getJsonArray(0).size());
        assertThat(Double.parseDouble(cells.get(i).getText())).as(matrix + " " + i).isEqualTo(v);
      }
    }
    // the 5x5 map pooled 2x2 with stride 2 is 3x3, the tutorial's example numbers
    assertThat(examples.findElements(By.cssSelector("[data-matrix='pooled'] td"))).extracting(WebElement::getText)
        .containsExactly("0", "5", "25", "0", "3", "20", "3", "0", "13");
    assertThat(examples.findElements(By.cssSelector(".xl-losses tr[data-network='1'] td"))).extracting(WebElement::getText)
        .containsExactly("0.3333", "0.8067", "1.3784");  // -(2 ln 0.4 + ln 0.1) / 3 = 1.37838
    assertThat(examples.findElements(By.cssSelector(".xl-losses tr[data-network='2'] td"))).extracting(WebElement::getText)
        .containsExactly("0.3333", "0.3400", "0.6391");
  }

  @Test
  @Order(6)
  void theExplorerRoutesRefuseBadLayersUnitsImagesAndModelsWithoutActivations() throws Exception {
    byte[] png = Files.readAllBytes(photo);
    String base = "/v1/models/" + MODEL;
    assertThat(error(api("POST", base + "/explore?layers=conv_9", png), 400))
        .contains("unknown layer 'conv_9'; layers of model 'bars': conv_1, maxpool_1");
    assertThat(error(api("POST", base + "/explore?window=dense_1:0:0", png), 400))
        .contains("only convolution and pooling units");
    assertThat(error(api("POST", base + "/explore?window=conv_1:40:0", png), 400))
        .contains("outside layer 'conv_1' (32x32)");
    assertThat(error(api("POST", base + "/explore", "not an image".getBytes()), 400)).contains("not a JPEG or PNG");
    assertThat(error(api("GET", base + "/layers/maxpool_1/weights?unit=0", null), 400))
        .contains("has no weights; layers with weights: conv_1, conv_2, dense_1, output");
    assertThat(error(api("GET", base + "/layers/conv_1/weights?unit=8", null), 400))
        .contains("unit 8 is out of range: layer 'conv_1' has 8 units (0..7)");
    assertThat(error(api("GET", base + "/layers/conv_9/weights?unit=0", null), 400)).contains("unknown layer 'conv_9'");
    assertThat(error(api("POST", "/v1/models/serving-only/explore", png), 400))
        .contains("model 'serving-only' v1 cannot be explored layer by layer", "no 'activations' signature");
    assertThat(error(api("POST", "/v1/models/nope/explore", png), 404)).contains("known models:");
    // the window of one unit, exactly: what the page fetches for models too large to send whole
    JsonObject w = ok(api("POST", base + "/explore?layers=conv_2&first=3&channels=1&window=conv_2:5:7", png))
        .getJsonObject("window");
    assertThat(w.getString("below")).isEqualTo("maxpool_1");
    assertThat(floats(w.getJsonObject("values"))[2 * 9 + 4]).isEqualTo(value(answer, "maxpool_1", "output", 2, 5, 7));
    assertThat(visualizer.get("/health/ready").statusCode()).isEqualTo(200);
  }

  static int answers() {
    String n = find("#explore").getDomAttribute("data-answers");
    return n == null ? 0 : Integer.parseInt(n);
  }

  static String label() {
    return find("#explore-label").getDomAttribute("data-label");
  }

  /** A pad pixel as an offset from the pad's centre, in CSS pixels (what Actions take). */
  static int offset(double padPixel, int side) {
    return (int) Math.round(padPixel * side / 28.0 - side / 2.0);
  }

  /**
   * Draws through {@code points} (pad pixels) as a hand does: pointer down, moves of about a pad pixel every
   * 15 ms, and (when {@code release}) pointer up.
   */
  static void stroke(double[][] points, boolean release) {
    WebElement pad = find("#explore-pad");
    var size = pad.getSize();
    Actions a = new Actions(browser).moveToElement(pad, offset(points[0][0], size.width),
        offset(points[0][1], size.height)).clickAndHold();
    for (int i = 1; i < points.length; i++) {
      double[] from = points[i - 1];
      double[] to = points[i];
      int steps = (int) Math.ceil(Math.hypot(to[0] - from[0], to[1] - from[1]));
      for (int k = 1; k <= steps; k++) {
        a.moveToElement(pad, offset(from[0] + (to[0] - from[0]) * k / steps, size.width),
            offset(from[1] + (to[1] - from[1]) * k / steps, size.height)).pause(Duration.ofMillis(15));
      }
    }
    if (release) {
      a.release();
    }
    a.perform();
  }

  /** The drawing as the page sends it. */
  static byte[] padPng() {
    String url = (String) js("return document.querySelector('#explore-pad').toDataURL('image/png');");
    return Base64.getDecoder().decode(url.substring(url.indexOf(',') + 1));
  }

  @Test
  @Order(7)
  void aDigitDrawnStrokeByStrokeIsClassifiedLiveAsItGrows() throws Exception {
    new Select(find("#explore-model")).selectByValue(LENET);
    WebElement pad = wait.until(d -> find("#explore-pad").isDisplayed() ? find("#explore-pad") : null);
    js("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", pad);
    assertThat(find("#explore-drop-hint").getText()).contains("digit");

    // the first stroke: answers arrive while the pointer is still down
    int before = answers();
    stroke(SLANT, false);
    wait.withMessage("an answer while drawing").until(d -> answers() > before);
    assertThat(pad.getDomAttribute("data-strokes")).as("the stroke is not finished").isEqualTo("0");
    new Actions(browser).release().perform();
    wait.withMessage("the one recognised").until(d -> "1".equals(pad.getDomAttribute("data-strokes"))
        && "1".equals(label()));

    // a bar across the top: the label changes to seven
    stroke(BAR, true);
    wait.withMessage("the seven recognised").until(d -> "2".equals(pad.getDomAttribute("data-strokes"))
        && "7".equals(label()));
    answer = ok(api("POST", "/v1/models/" + LENET + "/explore?encoding=float32&channels=16", padPng()));
    assertThat(answer.getJsonObject("predicted").getString("label")).isEqualTo("7");
    assertThat(Double.parseDouble(find("#explore-label").getDomAttribute("data-probability")))
        .isCloseTo(answer.getJsonObject("predicted").getDouble("probability"), within(1e-6));
    assertThat(answer.getJsonObject("input").getJsonArray("shape")).containsExactly(32, 32, 1);
    assertThat(browser.findElements(By.cssSelector(".xl-layer"))).extracting(e -> e.getDomAttribute("data-layer"))
        .containsExactly("input", "conv_1", "maxpool_1", "conv_2", "maxpool_2", "flatten", "dense_1", "dense_2",
            "output");
    assertThat(browser.findElements(By.cssSelector(".xl-tile[data-layer='conv_2']"))).hasSize(2 * 16);
  }

  @Test
  @Order(8)
  void lenetsUnitsShowTheirFiveByFiveWindowsKernelsSumsAndMaxima() throws Exception {
    // the feature detector of conv_2 that fires most on this seven, where it fires most
    int[] best = {0, 0, 0};
    for (int f = 0; f < 16; f++) {
      for (int y = 0; y < 10; y++) {
        for (int x = 0; x < 10; x++) {
          if (value(answer, "conv_2", "output", f, y, x) > value(answer, "conv_2", "output", best[0], best[1], best[2])) {
            best = new int[] {f, y, x};
          }
        }
      }
    }
    int f = best[0];
    int y = best[1];
    int x = best[2];
    hover("conv_2", "output", f, y, x);
    Map<String, String> p = panel("conv_2");
    assertThat(p).containsEntry("channel", "" + f).containsEntry("y", "" + y).containsEntry("x", "" + x);
    // a 5x5 window of all six maps of maxpool_1 ('valid': starting at the unit's own row and column)
    assertThat(marks("maxpool_1", "window")).hasSize(6).allMatch(m -> m.endsWith(" " + y + "," + x + " 5x5"));
    // through 2x2 pooling and conv_1's 5x5 window: 14x14 pixels of the 32x32 input from (2y, 2x)
    assertThat(marks("input", "field")).containsExactly("output/0 " + 2 * y + "," + 2 * x + " 14x14");
    float preact = value(answer, "conv_2", "preactivation", f, y, x);
    assertThat(preact).isPositive();
    assertThat(number("#explore-sum")).as("the shown sum").isCloseTo(preact, within(SHOWN));
    assertThat(find("#explore-preact").getText()).isEqualTo(shown(preact));
    assertThat(find("#explore-output").getText()).isEqualTo(shown(preact));
    assertThat(browser.findElements(By.cssSelector("#explore-unit .xl-partials tbody tr"))).hasSize(6);
    JsonObject weights = ok(api("GET", "/v1/models/" + LENET + "/layers/conv_2/weights?unit=" + f, null));
    int c = Integer.parseInt(p.get("detailChannel"));
    List<WebElement> kernel = browser.findElements(By.cssSelector("#explore-unit .xl-detail table")).get(1)
        .findElements(By.tagName("td"));
    assertThat(kernel).hasSize(25);
    assertThat(kernel.get(12).getText()).isEqualTo(shown(weights.getJsonArray("weights").getJsonArray(c)
        .getJsonArray(2).getDouble(2)));
    screenshot();

    hover("maxpool_2", "output", 5, 2, 1);
    panel("maxpool_2");
    assertThat(marks("conv_2", "window")).containsExactly("output/5 4,2 2x2");
    float pooled = value(answer, "maxpool_2", "output", 5, 2, 1);
    assertThat(find("#explore-max").getText()).isEqualTo(shown(pooled));
    assertThat(marks("conv_2", "max")).hasSize(1).allMatch(m -> {
      String[] rc = m.split(" ")[1].split(",");
      return value(answer, "conv_2", "output", 5, Integer.parseInt(rc[0]), Integer.parseInt(rc[1])) == pooled;
    });
  }

  /**
   * The explorer from the pad down to conv_2, with the drawn digit and the hovered unit: docs/images/explorer.png
   * is this picture ({@code target/screenshots/explorer.png}).
   */
  static void screenshot() throws IOException {
    js("document.querySelector('#explore-examples').open = false;");
    WebElement section = find("#explore");
    var window = browser.manage().window();
    var size = window.getSize();
    window.setSize(new org.openqa.selenium.Dimension(1280, section.getSize().height + 200));
    js("window.scrollTo(0, arguments[0].getBoundingClientRect().top + window.scrollY - 70)", section);
    BufferedImage whole = ImageIO.read(new ByteArrayInputStream(section.getScreenshotAs(OutputType.BYTES)));
    double scale = whole.getWidth() / (double) section.getSize().width;
    int bottom = (int) Math.round(scale * (find(".xl-layer[data-layer='conv_2']").getRect().y
        + find(".xl-layer[data-layer='conv_2']").getSize().height + 12 - section.getRect().y));
    Path shot = Files.createDirectories(Path.of("target", "screenshots")).resolve("explorer.png");
    ImageIO.write(whole.getSubimage(0, 0, whole.getWidth(), Math.min(bottom, whole.getHeight())), "png", shot.toFile());
    window.setSize(size);
  }

  @Test
  @Order(100)
  void theBrowserConsoleHasNoErrors() {
    List<String> problems = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue()).map(LogEntry::getMessage).toList();
    assertThat(problems).as("browser console").isEmpty();
    assertThat(visualizer.process.isAlive()).isTrue();
  }
}
