package io.convnet.gateway.webui;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The real browser the web page tests drive: the Debian packages' Chromium and chromedriver,
 * headless, with the browser console kept so a test can assert that nothing unexpected was logged.
 */
public record HeadlessChromium(Path chromium, Path chromedriver) {

  /** Both executables from PATH; the calling test class is skipped, saying what is missing, without them. */
  public static HeadlessChromium assumeInstalled() {
    Optional<Path> chromium = onPath("chromium", "chromium-browser", "google-chrome");
    Optional<Path> chromedriver = onPath("chromedriver");
    Assumptions.assumeTrue(chromium.isPresent() && chromedriver.isPresent(),
        "the web page test needs Chromium and chromedriver (Debian: apt-get install chromium chromium-driver; "
            + "./test.sh installs them); found chromium: " + chromium.isPresent() + ", chromedriver: "
            + chromedriver.isPresent());
    return new HeadlessChromium(chromium.get(), chromedriver.get());
  }

  /** A new headless browser with a 1280x1600 window, reduced motion and the console log at every level. */
  public ChromeDriver open() {
    ChromeOptions options = new ChromeOptions().setBinary(chromium.toFile())
        .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
            "--window-size=1280,1600", "--force-prefers-reduced-motion", "--no-first-run", "--disable-extensions",
            "--disable-background-networking");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    return new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(chromedriver.toFile())
        .usingAnyFreePort().build(), options);
  }

  /** Polls every 50 ms; an element the page replaced while it was read is looked up again. */
  public static WebDriverWait waiting(WebDriver browser, Duration timeout) {
    WebDriverWait wait = new WebDriverWait(browser, timeout, Duration.ofMillis(50));
    wait.ignoring(StaleElementReferenceException.class);  // the page replaces elements as answers arrive
    return wait;
  }

  private static Optional<Path> onPath(String... names) {
    return Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator))
        .flatMap(dir -> Stream.of(names).map(n -> Path.of(dir, n)))
        .filter(Files::isExecutable)
        .findFirst();
  }
}
