package io.memberpulse.devstack.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The services' pages (staff, insights, model reports) in a real browser: Debian's Chromium, headless, driven by
 * its chromedriver. CI installs both (.ci/run), so there a missing browser fails the test; a machine without them
 * skips it instead.
 */
public final class HeadlessChromium {
    /** Debian's packages; CHROMIUM / CHROMEDRIVER name another copy (e.g. unpacked where root is not available). */
    public static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    public static final Path CHROMEDRIVER = Path.of(System.getenv().getOrDefault("CHROMEDRIVER", "/usr/bin/chromedriver"));

    private HeadlessChromium() {
    }

    /** Whether browser tests run here: the browser is installed, or this is CI (where its absence must fail). */
    public static boolean runsHere() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER) || "true".equals(System.getenv("CI"));
    }

    /** Skips the calling test where the browser tests do not run. */
    public static void assumeInstalled() {
        Assumptions.assumeTrue(runsHere(), "Debian's chromium and chromium-driver are not installed");
    }

    /** A headless browser with a window of the given size ("800,1000"); quit it when done. */
    public static ChromeDriver start(String windowSize) {
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--no-first-run", "--window-size=" + windowSize);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
        return new ChromeDriver(service, options);
    }
}
