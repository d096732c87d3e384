package io.memberpulse.campaign.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The release before keeps working on the migrated schema (rolling upgrades, a rollback): its writes name only the
 * columns it knew.
 */
@QuarkusTest
class PreviousReleaseSchemaTest {
    @Inject
    Pool pool;

    @Test
    void aCampaignCreatedWithoutTheFollowUpStateStartsInPlanWithNothingToFollowUp() {
        String id = "prev-" + UUID.randomUUID();
        // the INSERT of the release before V13
        pool.preparedQuery("""
                INSERT INTO campaign (id, name, target_min_probability, target_segment_id, target_store_id, content,
                  channel, offer, cost_per_touch, coupon_value, start_at, end_at, holdout_share, variants, state,
                  created_at, version)
                VALUES ($1, 'old release', 0.5, NULL, NULL, '', 'call', '', 6, 0, now(), now() + interval '30 days',
                  0.1, '', 'PLAN', now(), 0)""").execute(Tuple.of(id)).await().indefinitely();
        String followedUp = pool.preparedQuery("SELECT followed_up_state FROM campaign WHERE id = $1")
                .execute(Tuple.of(id)).await().indefinitely().iterator().next().getString(0);
        pool.preparedQuery("DELETE FROM campaign WHERE id = $1").execute(Tuple.of(id)).await().indefinitely();
        assertThat(followedUp).isEqualTo("PLAN");
    }

    @Test
    void aPurchaseLineRecordedWithoutItsMarginRateHasNone() {
        String eventId = "prev-" + UUID.randomUUID();
        // the INSERT of the release before V21: the line is priced at the default margin rate
        pool.preparedQuery("""
                INSERT INTO member_purchase (source, event_id, member_id, kind, order_id, campaign_id, occurred_at, amount,
                                             store_id, sku, category, quantity, coupon_id)
                SELECT 'pos', $1, 'prev-member', 'order', 'o1', NULL, now(), 100, NULL, NULL, NULL, 1, NULL
                WHERE NOT EXISTS (SELECT 1 FROM retracted_line WHERE source = 'pos' AND event_id = $1)
                ON CONFLICT DO NOTHING""").execute(Tuple.of(eventId)).await().indefinitely();
        var rows = pool.preparedQuery("SELECT margin_rate FROM member_purchase WHERE source = 'pos' AND event_id = $1")
                .execute(Tuple.of(eventId)).await().indefinitely();
        pool.preparedQuery("DELETE FROM member_purchase WHERE source = 'pos' AND event_id = $1").execute(Tuple.of(eventId))
                .await().indefinitely();
        assertThat(rows.size()).isEqualTo(1);
        assertThat(rows.iterator().next().getDouble(0)).isNull();
    }

    /**
     * V27's default made every call the release before it opened look scored, so an unscored member's read "churn
     * risk 0%" beside a surged pod or after a rollback; it is derived from whether the member has a score.
     */
    @Test
    void aCallOpenedWithoutTheScoredFlagIsScoredOnlyWhenItsMemberHasAScore() {
        String unscored = "prev-" + UUID.randomUUID();
        String scoredMember = "prev-" + UUID.randomUUID();
        pool.preparedQuery("""
                INSERT INTO member_risk (member_id, store_id, probability, member_value, as_of, updated_at)
                VALUES ($1, 's-prev', 0.8, 120, now(), now())""").execute(Tuple.of(scoredMember)).await().indefinitely();
        try {
            assertThat(scoredOfCallOpenedByThePreviousRelease(unscored, 0)).isFalse();
            assertThat(scoredOfCallOpenedByThePreviousRelease(scoredMember, 0.8)).isTrue();
        } finally {
            pool.preparedQuery("DELETE FROM call_task WHERE member_id = ANY($1)")
                    .execute(Tuple.of(new String[] {unscored, scoredMember})).await().indefinitely();
            pool.preparedQuery("DELETE FROM member_risk WHERE member_id = $1").execute(Tuple.of(scoredMember))
                    .await().indefinitely();
        }
    }

    private boolean scoredOfCallOpenedByThePreviousRelease(String memberId, double probability) {
        String id = "prev-" + UUID.randomUUID();
        // the INSERT of the release before V27
        pool.preparedQuery("""
                INSERT INTO call_task (id, member_id, store_id, origin, campaign_id, probability, member_value,
                  value_at_risk, status, created_at, due_at, closed_at, close_reason, escalated_at, version)
                VALUES ($1, $2, 's-prev', 'segment:calls', NULL, $3, 0, 0, 'OPEN', now(), now() + interval '72 hours',
                  NULL, NULL, NULL, 0)""").execute(Tuple.of(id, memberId, probability)).await().indefinitely();
        return pool.preparedQuery("SELECT scored FROM call_task WHERE id = $1").execute(Tuple.of(id)).await()
                .indefinitely().iterator().next().getBoolean(0);
    }
}
