package io.memberpulse.campaign.api.rest;

import static io.memberpulse.campaign.testdata.ChurnEvents.T1;
import static io.memberpulse.campaign.testdata.ChurnEvents.scored;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.memberpulse.campaign.WithKafkaCompanion;
import io.memberpulse.campaign.store.CallListCache;
import io.memberpulse.campaign.testdata.ChurnEvents;
import io.memberpulse.campaign.testdata.MemberEvents;
import io.memberpulse.devstack.testing.AuthTestResource;
import io.memberpulse.devstack.testing.HeadlessChromium;
import io.memberpulse.proto.auth.Roles;
import io.memberpulse.proto.churn.v1.ChurnScored;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The store-staff page in a real browser (Debian's Chromium, headless): the staff member pastes the token
 * their sign-in gave them, then sees their store's calls, the overdue one highlighted, the talking points of
 * member.events (last purchase, favourite categories, an open coupon), and one tap records an outcome.
 * Without a token, or with one the service refuses, the page says so. A screenshot lands in target/staff-page.png.
 */
@QuarkusTest
class StaffPageTest extends WithKafkaCompanion {
    @Inject
    Pool database;

    @Inject
    CallListCache cache;

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
    void staffSeeTheirCallsWithTheOverdueOneHighlightedAndRecordAnOutcomeInOneTap() throws Exception {
        String run = ChurnEvents.run();
        String store = "s-" + run;
        List<ChurnScored> scores = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            scores.add(scored("m-" + run + "-" + i, store, i <= 2 ? 0.95 - i * 0.01 : 0.1, 200 + i, T1));
        }
        // The riskiest member's history on member.events: the talking points the page must show.
        String talked = "m-" + run + "-1";
        Instant bought = CallListTalkingPointsTest.LAST_VISIT.minus(Duration.ofDays(4));
        MemberEvents.register(kafka);
        MemberEvents.publish(kafka, List.of(
                MemberEvents.orderLine(talked, run + "-e1", run + "-o1", bought, store, "y1", "dairy/yogurt/greek", 2, 30),
                MemberEvents.coupon(talked, run + "-c1", true, run + "-coupon", "summer", 10, bought, store)));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            ChurnEvents.publish(kafka, scores);
            given().get("/stores/{s}/call-list", store).then().statusCode(200).body("tasks.size()", equalTo(2))
                    .body("tasks[0].insight.openCoupons.size()", equalTo(1));
        });
        String overdueTask = given().get("/stores/{s}/call-list", store).then().extract().path("tasks[1].taskId");
        database.preparedQuery("UPDATE call_task SET due_at = now() - interval '2 hours' WHERE id = $1")
                .execute(Tuple.of(overdueTask)).await().indefinitely();
        cache.invalidate(List.of(store)).await().indefinitely();

        browser.get("http://localhost:" + RestAssured.port + "/staff/index.html?store=" + store);
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(15));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "token"));
        String token = AuthTestResource.staff(store);
        signIn(token);
        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("li.call"), 2));
        assertThat(browser.getCurrentUrl()).doesNotContain(token);
        assertThat(browser.findElement(By.id("status")).getText()).isEqualTo("2 calls for " + store + ", 1 overdue.");
        List<WebElement> overdue = browser.findElements(By.cssSelector("li.call.overdue"));
        assertThat(overdue).hasSize(1);
        assertThat(overdue.get(0).getAttribute("data-task-id")).isEqualTo(overdueTask);
        assertThat(overdue.get(0).getText()).contains("OVERDUE").contains("overdue by");
        Files.write(Path.of("target/staff-page.png"), browser.getScreenshotAs(OutputType.BYTES));

        // Overdue calls come first; the other card is the member with the coupon.
        assertThat(browser.findElement(By.cssSelector("li.call")).getAttribute("data-task-id")).isEqualTo(overdueTask);
        WebElement first = browser.findElement(By.cssSelector("li.call:not(.overdue)"));
        assertThat(first.findElement(By.cssSelector(".coupon")).getText()).isEqualTo("1 open coupon ¥10");
        assertThat(first.getText()).contains("last bought " + bought.toString().substring(0, 10) + " at " + store
                        + ": 2 × dairy/yogurt/greek (¥30)")
                .contains("likes dairy/yogurt").contains("RFM: last purchase ");
        String firstTask = first.getAttribute("data-task-id");
        first.findElement(By.cssSelector("button[data-result='will_return']")).click();
        wait.until(ExpectedConditions.attributeContains(first, "class", "done"));
        assertThat(first.getText()).contains("Recorded: Will return");
        given().get("/stores/{s}/call-list", store).then().statusCode(200)
                .body("tasks.size()", equalTo(1)).body("tasks[0].taskId", equalTo(overdueTask));
        assertThat(firstTask).isNotEqualTo(overdueTask);
    }

    /** Pastes a token into the page's token field and signs in, as a staff member does. */
    private void signIn(String token) {
        browser.findElement(By.id("token")).sendKeys(token);
        browser.findElement(By.cssSelector("#sign-in button[type='submit']")).click();
    }

    @Test
    void anUnknownStoreIsToldSo() {
        String store = "nowhere-" + ChurnEvents.run();
        browser.get("http://localhost:" + RestAssured.port + "/staff/index.html?store=" + store);
        signIn(AuthTestResource.staff(store));
        new WebDriverWait(browser, Duration.ofSeconds(15)).until(
                ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "no store " + store));
        assertThat(browser.findElement(By.id("status")).getAttribute("class")).isEqualTo("error");
    }

    @Test
    void withoutAUsableTokenThePageSaysWhyAndShowsNoCalls() {
        String store = "s-" + ChurnEvents.run();
        browser.get("http://localhost:" + RestAssured.port + "/staff/index.html?store=" + store);
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(15));
        By status = By.id("status");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(status, "Paste the token your sign-in gave you"));
        assertThat(browser.findElement(status).getAttribute("class")).isEqualTo("error");

        signIn("not-a-token");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(status, "Your token was not accepted"));
        signIn(AuthTestResource.withRoles(Roles.INGEST));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(status, "Your token does not allow"));
        signIn(AuthTestResource.staff("another-" + store));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(status, "not of the store your token is for"));
        assertThat(browser.findElements(By.cssSelector("li.call"))).isEmpty();

        browser.findElement(By.id("sign-out")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(status, "Paste the token your sign-in gave you"));
    }

    /** Two calls of a fresh store, the page signed in with its staff token; returns the store. */
    private String signedInWithTwoCalls(String pageStore) {
        String run = ChurnEvents.run();
        String store = "s-" + run;
        List<ChurnScored> scores = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            scores.add(scored("m-" + run + "-" + i, store, i <= 2 ? 0.95 - i * 0.01 : 0.1, 200 + i, T1));
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            ChurnEvents.publish(kafka, scores);
            given().get("/stores/{s}/call-list", store).then().statusCode(200).body("tasks.size()", equalTo(2));
        });
        browser.get("http://localhost:" + RestAssured.port + "/staff/index.html?store="
                + (pageStore == null ? store : pageStore));
        signIn(AuthTestResource.staff(store));
        new WebDriverWait(browser, Duration.ofSeconds(15))
                .until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("li.call"), 2));
        return store;
    }

    private Row outcomeOf(String taskId) {
        return database.preparedQuery("SELECT result, note, follow_up_date FROM task_outcome WHERE task_id = $1")
                .execute(Tuple.of(taskId)).await().indefinitely().iterator().next();
    }

    /** Every result the API takes, with a note, and a follow-up date for a member nobody answered. */
    @Test
    void staffRecordAnOptOutWithANoteAndANotReachedWithAFollowUpDate() {
        signedInWithTwoCalls(null);
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(15));
        List<WebElement> cards = browser.findElements(By.cssSelector("li.call"));
        assertThat(cards.get(0).findElements(By.cssSelector("button[data-result]"))).extracting(e -> e.getAttribute("data-result"))
                .contains("will_return", "not_interested", "not_reached", "opted_out", "complaint");

        WebElement optOut = cards.get(0);
        optOut.findElement(By.cssSelector("textarea.note")).sendKeys("asked to be left alone");
        optOut.findElement(By.cssSelector("button[data-result='opted_out']")).click();
        wait.until(ExpectedConditions.attributeContains(optOut, "class", "done"));
        Row opted = outcomeOf(optOut.getAttribute("data-task-id"));
        assertThat(opted.getString("result")).isEqualTo("OPTED_OUT");
        assertThat(opted.getString("note")).isEqualTo("asked to be left alone");

        WebElement unanswered = cards.get(1);
        LocalDate followUp = LocalDate.now().plusDays(3);
        browser.executeScript("arguments[0].value = arguments[1]",
                unanswered.findElement(By.cssSelector("input.follow-up")), followUp.toString());
        unanswered.findElement(By.cssSelector("button[data-result='not_reached']")).click();
        wait.until(ExpectedConditions.attributeContains(unanswered, "class", "done"));
        Row notReached = outcomeOf(unanswered.getAttribute("data-task-id"));
        assertThat(notReached.getString("result")).isEqualTo("NOT_REACHED");
        assertThat(notReached.getLocalDate("follow_up_date")).isEqualTo(followUp);
    }

    /** A store remembered from another sign-in (the address, the device) does not win over the token's. */
    @Test
    void theTokensStoreWinsOverTheRememberedOne() {
        String store = signedInWithTwoCalls("remembered-" + ChurnEvents.run());
        assertThat(browser.findElement(By.id("status")).getText()).startsWith("2 calls for " + store);
        assertThat(browser.findElement(By.id("store")).getAttribute("value")).isEqualTo(store);
    }

    /** A request that never reached the service says so and lets staff try again; a call gone (404) reloads the list. */
    @Test
    void anOutcomeNotSentCanBeSentAgainAndACallGoneReloadsTheList() {
        String store = signedInWithTwoCalls(null);
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(15));
        WebElement card = browser.findElements(By.cssSelector("li.call")).get(0);
        browser.executeScript("window.realFetch = window.fetch; window.fetch = () => Promise.reject(new TypeError('offline'))");
        card.findElement(By.cssSelector("button[data-result='will_return']")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "not sent — retry"));
        assertThat(card.findElement(By.cssSelector("button[data-result='will_return']")).isEnabled()).isTrue();

        browser.executeScript("window.fetch = window.realFetch");
        database.preparedQuery("UPDATE call_task SET store_id = $2 WHERE id = $1")
                .execute(Tuple.of(card.getAttribute("data-task-id"), store + "-gone")).await().indefinitely();
        cache.invalidate(List.of(store)).await().indefinitely();
        card.findElement(By.cssSelector("button[data-result='will_return']")).click();
        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("li.call"), 1));
    }
}
