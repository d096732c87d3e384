package io.memberpulse.campaign.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScoreUpdateTest {
    private static final Instant MONDAY = Instant.parse("2024-03-04T00:00:00Z");
    private static final Instant TUESDAY = Instant.parse("2024-03-05T00:00:00Z");

    private static MemberRisk score(String member, String store, double probability, Instant asOf) {
        return new MemberRisk(member, store, probability, 100.0, asOf);
    }

    @Test
    void theNewestScoreOfAMemberInTheBatchWinsWhateverTheOrder() {
        ScoreUpdate update = ScoreUpdate.of(
                List.of(score("a", "s1", 0.9, TUESDAY), score("a", "s1", 0.2, MONDAY)), Map.of());
        assertThat(update.accepted()).singleElement().extracting(MemberRisk::probability).isEqualTo(0.9);
    }

    @Test
    void aWithdrawalTakesTheStoredScoreAndTheBatchsEarlierOnesAway() {
        ScoreUpdate update = ScoreUpdate.of(List.of(score("a", "s2", 0.9, TUESDAY), new ScoreWithdrawal("a")),
                Map.of("a", score("a", "s1", 0.9, MONDAY)));
        assertThat(update.accepted()).isEmpty();
        assertThat(update.withdrawn()).extracting(MemberRisk::memberId).containsExactly("a");
        assertThat(update.affectedStores()).containsExactly("s1");
    }

    @Test
    void aScoreAfterAWithdrawalCountsWhateverTheStoredScoresTime() {
        ScoreUpdate update = ScoreUpdate.of(List.of(score("a", "s1", 0.9, TUESDAY), new ScoreWithdrawal("a"),
                score("a", "s1", 0.4, MONDAY)), Map.of("a", score("a", "s1", 0.9, TUESDAY)));
        assertThat(update.accepted()).singleElement().extracting(MemberRisk::probability).isEqualTo(0.4);
        assertThat(update.withdrawn()).isEmpty();
    }

    @Test
    void aWithdrawalOfAMemberWithoutAStoredScoreChangesNothing() {
        ScoreUpdate update = ScoreUpdate.of(List.of(new ScoreWithdrawal("a")), Map.of());
        assertThat(update.accepted()).isEmpty();
        assertThat(update.withdrawn()).isEmpty();
        assertThat(update.affectedStores()).isEmpty();
    }

    @Test
    void aScoreOlderThanTheStoredOneIsIgnored() {
        ScoreUpdate update = ScoreUpdate.of(List.of(score("a", "s1", 0.2, MONDAY)),
                Map.of("a", score("a", "s1", 0.9, TUESDAY)));
        assertThat(update.accepted()).isEmpty();
        assertThat(update.affectedStores()).isEmpty();
    }

    @Test
    void theSameScoreAgainIsAcceptedAndChangesNothingDownstream() {
        MemberRisk stored = score("a", "s1", 0.9, MONDAY);
        ScoreUpdate update = ScoreUpdate.of(List.of(stored), Map.of("a", stored));
        assertThat(update.accepted()).containsExactly(stored);
        assertThat(update.storeChanges()).isEmpty();
        assertThat(update.affectedStores()).containsExactly("s1");
    }

    @Test
    void aMemberWhoChangedStoreTouchesBothStores() {
        ScoreUpdate update = ScoreUpdate.of(List.of(score("a", "s2", 0.9, TUESDAY)),
                Map.of("a", score("a", "s1", 0.9, MONDAY)));
        assertThat(update.storeChanges()).extracting(MemberRisk::memberId).containsExactly("a");
        assertThat(update.affectedStores()).containsExactlyInAnyOrder("s1", "s2");
    }

    @Test
    void aMemberWhoLostTheirStoreStillTouchesTheOldOne() {
        ScoreUpdate update = ScoreUpdate.of(List.of(score("a", "", 0.9, TUESDAY)),
                Map.of("a", score("a", "s1", 0.9, MONDAY)));
        assertThat(update.storeChanges()).extracting(MemberRisk::storeId).containsExactly((String) null);
        assertThat(update.affectedStores()).containsExactly("s1");
    }

    @Test
    void aNewMemberWithoutStoreTouchesNoStore() {
        ScoreUpdate update = ScoreUpdate.of(List.of(score("a", null, 0.9, TUESDAY)), Map.of());
        assertThat(update.accepted()).hasSize(1);
        assertThat(update.storeChanges()).isEmpty();
        assertThat(update.affectedStores()).isEmpty();
    }
}
