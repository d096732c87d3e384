package io.memberpulse.churn.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.memberpulse.churn.domain.ChurnScore;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A score is stored only over the version it was computed against: a replica that read a member's facts before
 * another replica recorded and scored a new one must not write its older score over the newer.
 */
@QuarkusTest
class ScoreVersionsTest {
    @Inject
    ScoreRepository scores;

    @Test
    void aScoreComputedAgainstAnOlderVersionIsNotStoredOverANewerOne() {
        String member = "v-" + UUID.randomUUID();
        Instant first = at(1);
        assertThat(upsert(score(member, 0.30), Map.of(), first)).containsExactly(member);
        // Another replica read no score either, and writes after the first: it lost, the first stays.
        assertThat(upsert(score(member, 0.90), Map.of(), at(2))).isEmpty();
        assertThat(scores.storedScoresOf(List.of(member)).await().indefinitely().versions()).containsEntry(member, first);

        Instant second = at(3);
        assertThat(upsert(score(member, 0.50), Map.of(member, first), second)).containsExactly(member);
        // Computed against the first version: refused, the second stays.
        assertThat(upsert(score(member, 0.90), Map.of(member, first), at(4))).isEmpty();
        assertThat(scores.score(member).await().indefinitely()).hasValueSatisfying(
                stored -> assertThat(stored.probability()).isEqualTo(0.50));

        // Taking a score away is conditional the same way.
        assertThat(scores.deleteScoresIfUnchanged(Map.of(member, first)).await().indefinitely()).isEmpty();
        assertThat(scores.score(member).await().indefinitely()).isPresent();
        assertThat(scores.deleteScoresIfUnchanged(Map.of(member, second)).await().indefinitely())
                .extracting(ChurnScore::memberId).containsExactly(member);
        assertThat(scores.score(member).await().indefinitely()).isEmpty();
    }

    private java.util.Set<String> upsert(ChurnScore score, Map<String, Instant> read, Instant scoredAt) {
        return scores.upsertScores(List.of(score), read, scoredAt).await().indefinitely();
    }

    private static ChurnScore score(String member, double probability) {
        return new ChurnScore(member, probability, "v-test", Instant.parse("2030-01-01T00:00:00Z"), 90, "S-versions",
                100, 10.0, 30.0);
    }

    /** Distinct store times in PostgreSQL's precision. */
    private static Instant at(int second) {
        return Instant.parse("2030-01-02T00:00:00Z").plusSeconds(second).truncatedTo(ChronoUnit.MICROS);
    }
}
