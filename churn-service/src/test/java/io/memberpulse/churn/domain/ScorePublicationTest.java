package io.memberpulse.churn.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Each clause of the publishing rule on its own: the score differs from the stored one in that respect only. */
class ScorePublicationTest {

    private static final Instant STORED_AS_OF = Instant.parse("2026-03-01T00:00:00Z");
    // Binary fractions, so that a move of exactly the threshold is exactly the threshold.
    private final ScorePublication publication = new ScorePublication(0.25, Duration.ofDays(7));
    private final ChurnScore stored = score(0.5, "m1", STORED_AS_OF, "store-1", 100.0);

    @Test
    void anUnchangedScoreIsNotPublished() {
        assertThat(publication.worthPublishing(stored, stored)).isFalse();
    }

    @Test
    void aMemberWithoutAStoredScoreIsPublished() {
        assertThat(publication.worthPublishing(stored, null)).isTrue();
    }

    @Test
    void anUnmovedScoreIsRestatedOnceTheStoredOneIsOlderThanRestateAfter() {
        Instant restate = STORED_AS_OF.plus(Duration.ofDays(7));
        assertThat(publication.worthPublishing(score(0.5, "m1", restate, "store-1", 100.0), stored)).isFalse();
        assertThat(publication.worthPublishing(score(0.5, "m1", restate.plusSeconds(1), "store-1", 100.0), stored))
                .isTrue();
    }

    @Test
    void aProbabilityMovedByTheThresholdIsPublishedAndLessIsNot() {
        assertThat(publication.worthPublishing(score(0.75, "m1", STORED_AS_OF, "store-1", 100.0), stored)).isTrue();
        assertThat(publication.worthPublishing(score(0.25, "m1", STORED_AS_OF, "store-1", 100.0), stored)).isTrue();
        assertThat(publication.worthPublishing(score(0.625, "m1", STORED_AS_OF, "store-1", 100.0), stored)).isFalse();
    }

    @Test
    void aScoreFromAnotherModelIsPublished() {
        assertThat(publication.worthPublishing(score(0.5, "m2", STORED_AS_OF, "store-1", 100.0), stored)).isTrue();
        assertThat(publication.worthPublishing(score(0.5, null, STORED_AS_OF, "store-1", 100.0), stored)).isTrue();
    }

    @Test
    void aScoreWithAnotherHomeStoreIsPublished() {
        assertThat(publication.worthPublishing(score(0.5, "m1", STORED_AS_OF, "store-2", 100.0), stored)).isTrue();
        assertThat(publication.worthPublishing(score(0.5, "m1", STORED_AS_OF, null, 100.0), stored)).isTrue();
    }

    @Test
    void aMemberValueMovedByACentIsPublishedAndLessIsNot() {
        assertThat(publication.worthPublishing(score(0.5, "m1", STORED_AS_OF, "store-1", 100.02), stored)).isTrue();
        assertThat(publication.worthPublishing(score(0.5, "m1", STORED_AS_OF, "store-1", 99.98), stored)).isTrue();
        assertThat(publication.worthPublishing(score(0.5, "m1", STORED_AS_OF, "store-1", 100.005), stored)).isFalse();
    }

    private static ChurnScore score(double probability, String modelVersion, Instant asOf, String homeStoreId,
            double memberValue) {
        return new ChurnScore("member-1", probability, modelVersion, asOf, 90, homeStoreId, memberValue, 12.0, 30.0);
    }
}
