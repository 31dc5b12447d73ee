package dev.intentinference.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's chromium, headless, driven through its own chromedriver: Selenium Manager never runs
 * and nothing is downloaded. Fails, never skips, when either is missing ({@code .ci/run} installs
 * both). Shared with the command line's tests, which serve compiled artifacts.
 */
public final class HeadlessChromium {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  private HeadlessChromium() {}

  /** A new browser with its profile in {@code profile} (created); the caller quits it. */
  public static ChromeDriver start(Path profile) throws IOException {
    assertThat(CHROMIUM).as("Debian's chromium is needed: apt-get install -y chromium chromium-driver (.ci/run does)")
        .isExecutable();
    assertThat(CHROMEDRIVER).as("Debian's chromedriver is needed: apt-get install -y chromium-driver (.ci/run does)")
        .isExecutable();
    // Selenium must never look for (or download) a driver: the system one is given explicitly.
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort().build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--window-size=1400,1000", "--user-data-dir=" + Files.createDirectories(profile));
    return new ChromeDriver(service, options);
  }
}
