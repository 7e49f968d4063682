package io.convnet.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.convnet.gateway.GatewayMain;
import io.convnet.gateway.webui.HeadlessChromium;
import io.convnet.visualizer.VisualizerMain;
import io.convnet.worker.InferenceWorkerMain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web page against the whole chain: gateway, inference worker and visualizer as their own JVMs over one model
 * store ({@code <dir>/models}) and data root ({@code <dir>/data}), and the page open in headless Chromium once the
 * worker serves the model the test names.
 */
final class PageChain implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(30);

  /** Fills the model store while the services boot (the worker finds models on its next scan of the store). */
  @FunctionalInterface
  interface Models {
    void publish(Path store, Path dataRoot) throws Exception;
  }

  final ServiceProcess gateway;
  final ServiceProcess worker;
  final ServiceProcess visualizer;
  final ChromeDriver browser;
  final WebDriverWait wait;

  private PageChain(ServiceProcess gateway, ServiceProcess worker, ServiceProcess visualizer, ChromeDriver browser) {
    this.gateway = gateway;
    this.worker = worker;
    this.visualizer = visualizer;
    this.browser = browser;
    this.wait = HeadlessChromium.waiting(browser, WAIT);
  }

  /** Skipped (assumption) without Chromium; {@code name} tells the instances apart. */
  static PageChain start(Path dir, String name, Models models, String served) throws Exception {
    HeadlessChromium chromium = HeadlessChromium.assumeInstalled();
    Map<String, String> env = Map.of("CONVNET_REQUEST_TIMEOUT_MS", "10000", "CONVNET_VISUALIZE_TIMEOUT_MS", "30000",
        "CONVNET_MODEL_STORE", dir.resolve("models").toString(), "CONVNET_DATA_ROOT", dir.resolve("data").toString(),
        "CONVNET_VIZ_CACHE_DIR", dir.resolve("cache").toString(), "CONVNET_SCORE_ENABLED", "false",
        "CONVNET_MODEL_POLL_MS", "500");
    Files.createDirectories(dir.resolve("models"));
    ServiceProcess gateway = ServiceProcess.start(GatewayMain.class, "gateway-" + name, env);
    ServiceProcess worker = ServiceProcess.start(InferenceWorkerMain.class, "inference-worker-" + name, env);
    ServiceProcess visualizer = ServiceProcess.start(VisualizerMain.class, "visualizer-" + name, env);
    PageChain chain = new PageChain(gateway, worker, visualizer, chromium.open());
    try {
      models.publish(dir.resolve("models"), dir.resolve("data"));
      for (ServiceProcess p : List.of(gateway, worker, visualizer)) {
        p.awaitReady(Duration.ofSeconds(90));
      }
      long until = System.nanoTime() + WAIT.toNanos();
      while (!gateway.get("/v1/models").body().contains("\"name\":\"" + served + "\",\"servedVersion\":1")) {
        assertThat(System.nanoTime()).as("the worker serves " + served + " v1").isLessThan(until);
        Thread.sleep(200);
      }
      chain.browser.get("http://127.0.0.1:" + gateway.port + "/");
      chain.wait.until(d -> "true".equals(d.findElement(By.tagName("html")).getDomAttribute("data-ready")));
      return chain;
    } catch (Exception | AssertionError e) {
      chain.close();
      throw e;
    }
  }

  @Override
  public void close() {
    browser.quit();
    for (ServiceProcess p : List.of(gateway, worker, visualizer)) {
      p.close();
    }
  }
}
