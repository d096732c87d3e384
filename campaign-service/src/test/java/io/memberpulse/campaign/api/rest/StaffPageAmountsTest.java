package io.memberpulse.campaign.api.rest;

import static io.memberpulse.campaign.testdata.ChurnEvents.T1;
import static io.memberpulse.campaign.testdata.ChurnEvents.scored;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.hasItem;

import io.memberpulse.campaign.WithKafkaCompanion;
import io.memberpulse.campaign.testdata.ChurnEvents;
import io.memberpulse.devstack.testing.AuthTestResource;
import io.memberpulse.devstack.testing.HeadlessChromium;
import io.memberpulse.proto.churn.v1.ChurnScored;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * StaffPageTest's page under a configured currency and locale (memberpulse.campaign.currency, currency-locale): the
 * page writes its own amounts (value at risk, coupons) as the call list's currencyLocale writes its currency, as the
 * talking points do. Euros in de-DE, "1.342 €", because that differs from the page's fallback (the symbol first,
 * thousands commas: "€1,342"), which a locale written the same way (GBP in en-GB, "£1,342") could not tell apart. Its
 * own class: a test profile is per class, and StaffPageTest checks the default (yuan, no locale). Skipped where
 * HeadlessChromium finds no browser.
 */
@QuarkusTest
@TestProfile(StaffPageAmountsTest.InEuros.class)
class StaffPageAmountsTest extends WithKafkaCompanion {
    public static class InEuros implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("memberpulse.campaign.currency", "EUR", "memberpulse.campaign.currency-locale", "de-DE");
        }
    }

    ChromeDriver browser;

    @BeforeEach
    void open() {
        HeadlessChromium.assumeInstalled();
        browser = HeadlessChromium.start("800,1000");
    }

    @AfterEach
    void close() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void thePageWritesAmountsAsTheConfiguredLocaleWritesTheConfiguredCurrency() {
        String run = ChurnEvents.run();
        String store = "eur-" + run;
        String risky = "m-" + run + "-1";
        // 0.9 × 1,491.20 = 1,342.08 at risk: the riskiest of ten, the store's one call.
        List<ChurnScored> scores = new ArrayList<>();
        scores.add(scored(risky, store, 0.9, 1491.2, T1));
        for (int i = 2; i <= 10; i++) {
            scores.add(scored("m-" + run + "-" + i, store, 0.2, 100, T1));
        }
        ChurnEvents.publish(kafka, scores);
        // Awaited longer: this profile starts its own application, whose consumers may take a while to join.
        await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> given().get("/stores/{s}/call-list", store)
                .then().statusCode(200).body("tasks.memberId", hasItem(risky)));
        JsonPath list = given().get("/stores/{s}/call-list", store).then().statusCode(200).extract().jsonPath();
        assertThat(list.getString("currencyLocale")).isEqualTo("de-DE");
        String task = list.getString("tasks.find { it.memberId == '%s' }.taskId".formatted(risky));
        assertThat(list.getDouble("tasks.find { it.memberId == '%s' }.valueAtRisk".formatted(risky)))
                .isCloseTo(1342.08, within(1e-6));

        browser.get("http://localhost:" + RestAssured.port + "/staff/index.html?store=" + store);
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(15));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "token"));
        browser.findElement(By.id("token")).sendKeys(AuthTestResource.staff(store));
        browser.findElement(By.cssSelector("#sign-in button[type='submit']")).click();
        By card = By.cssSelector("li.call[data-task-id='" + task + "'] .numbers");
        wait.until(ExpectedConditions.presenceOfElementLocated(card));
        // de-DE puts a no-break space between the amount and the sign; read it as a space.
        String numbers = browser.findElement(card).getText().replace('\u00a0', ' ');
        assertThat(numbers).contains("churn risk 90% · value at risk 1.342 €");
    }
}
