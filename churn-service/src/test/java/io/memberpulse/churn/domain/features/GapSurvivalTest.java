package io.memberpulse.churn.domain.features;

import static io.memberpulse.churn.testdata.HistoryBuilder.T;
import static io.memberpulse.churn.testdata.HistoryBuilder.member;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GapSurvivalTest {

    static MemberHistory history(List<Activity> activities) {
        return MemberHistory.asOf(activities, T, ZoneOffset.UTC);
    }

    @Test
    void kaplanMeierCountsOpenGapsAsCensored() {
        List<MemberHistory> histories = new ArrayList<>();
        // ten members came back after 10 days, ten after 30; ten have waited 20 days so far (censored)
        for (int i = 0; i < 10; i++) {
            histories.add(history(member().order(100, 5).order(90, 5).build()));
            histories.add(history(member().order(100, 5).order(70, 5).build()));
            histories.add(history(member().order(20, 5).build()));
        }
        GapSurvival gaps = GapSurvival.of(histories);
        // first gaps at risk: 30; ten end on day 10 -> S = 2/3; the censored ten leave on day 20;
        // the last ten end on day 30 -> S = 0
        assertThat(gaps.survival()[0][9]).isEqualTo(1.0);
        assertThat(gaps.survival()[0][10]).isCloseTo(2 / 3d, within(1e-12));
        assertThat(gaps.survival()[0][30]).isZero();
        // waited 15 days: every gap still open at 15 ended by day 30, so a 90-day horizon is never outlasted
        assertThat(gaps.churnProbability(1, 15, 90)).isZero();
        assertThat(gaps.churnProbability(1, 5, 3)).isEqualTo(1.0);
        assertThat(gaps.churnProbability(1, 40, 90)).isNaN(); // nobody survived that long
        assertThat(GapSurvival.NONE.churnProbability(1, 5, 90)).isNaN();
    }

    @Test
    void strataSeparateTheGapAfterTheFirstPurchaseDayFromLaterOnes() {
        List<MemberHistory> histories = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            histories.add(history(member().order(200, 5).order(100, 5).order(95, 5).order(90, 5).build()));
        }
        GapSurvival gaps = GapSurvival.of(histories);
        assertThat(gaps.survival()[0][99]).isEqualTo(1.0); // first gap: 100 days
        assertThat(gaps.survival()[1][5]).isZero();         // second gap: 5 days
        assertThat(gaps.churnProbability(2, 0, 3)).isEqualTo(1.0);
    }

    @Test
    void survivesTheRoundTripWithAModelVersion() throws Exception {
        GapSurvival gaps = GapSurvival.of(List.of(history(member().order(50, 5).order(20, 5).build())));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        gaps.write(new DataOutputStream(bytes));
        GapSurvival read = GapSurvival.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertThat(read.survival()).isDeepEqualTo(gaps.survival());
    }
}
