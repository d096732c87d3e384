package io.memberpulse.churn;

import static org.assertj.core.api.Assertions.assertThat;

import io.memberpulse.churn.domain.features.Activity;
import io.memberpulse.churn.domain.features.FeatureExtractor;
import io.memberpulse.churn.domain.features.Snapshot;
import io.memberpulse.churn.domain.features.StockOuts;
import io.memberpulse.churn.domain.model.LabelGuard;
import io.memberpulse.churn.domain.model.TrainingProgress;
import io.memberpulse.churn.testdata.EventCsv;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a batch score cuts the facts before its as-of date into training and validation windows. */
class BatchFitTest {
    /** CDNOW has dates only, every purchase at noon in New York: as-of is at that hour too, on a window's edge. */
    static final Instant AS_OF = Instant.parse("1998-04-01T17:00:00Z");
    static final int H = 90;

    @Test
    void eachLabelWindowHoldsTheHorizonsWholeDaysOfTheFactsRead() throws Exception {
        Map<String, List<Activity>> before = new HashMap<>();
        EventCsv.read(EventCsv.dataset("cdnow-sample.events.csv")).histories().forEach((member, activities) ->
                before.put(member, activities.stream().filter(a -> a.at().isBefore(AS_OF)).toList()));
        TrainingRun run = new TrainingRun(before, new StockOuts(List.of()), new FeatureExtractor(H, 60, ZoneOffset.UTC),
                H, LabelGuard.of(14));

        BatchScoreService.Fitted fitted = BatchScoreService.fit(run, AS_OF, TrainingProgress.NONE);

        Snapshot window = fitted.training().validationWindow();
        Instant firstDay = AS_OF.minus(Duration.ofDays(H));
        int boughtOnTheFirstDayOnly = 0;
        for (int i = 0; i < window.size(); i++) {
            String member = window.memberIds().get(i);
            List<Activity> purchases = before.get(member).stream().filter(Activity::isPurchase).toList();
            assertThat(purchases).as(member + " is known at the cut-off").anyMatch(a -> a.at().isBefore(firstDay));
            List<Activity> inWindow = purchases.stream().filter(a -> !a.at().isBefore(firstDay)).toList();
            assertThat(window.churned()[i]).as(member + "'s label").isEqualTo(inWindow.isEmpty() ? 1 : 0);
            if (!inWindow.isEmpty() && inWindow.stream().allMatch(a -> a.at().equals(firstDay))) {
                boughtOnTheFirstDayOnly++;
            }
        }
        assertThat(boughtOnTheFirstDayOnly).as("members whose one purchase in the window is on its first day")
                .isPositive();
        assertThat(fitted.basis()).contains("validation window from " + firstDay);
        assertThat(fitted.members().size()).as("every member who bought before as-of is scored")
                .isEqualTo((int) before.values().stream().filter(h -> h.stream().anyMatch(Activity::isPurchase)).count());
    }
}
