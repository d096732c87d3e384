package io.memberpulse.identity.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.OffsetDateTime;
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

    /** V17 made last_seen NOT NULL without a default: the insert of the release before it failed every such batch. */
    @Test
    void aStoreRecordedWithoutItsLastSeenTimeIsDatedAtTheWrite() {
        String value = "prev-" + UUID.randomUUID();
        // the INSERT of the release before V17 (IdentityRepository.recordStores)
        pool.preparedQuery("""
                INSERT INTO identifier_store (type, value, store_id)
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING""")
                .execute(Tuple.of(new String[] {"phone"}, new String[] {value}, new String[] {"s-prev"}))
                .await().indefinitely();
        try {
            OffsetDateTime lastSeen = pool.preparedQuery("SELECT last_seen FROM identifier_store WHERE value = $1")
                    .execute(Tuple.of(value)).await().indefinitely().iterator().next().getOffsetDateTime(0);
            assertThat(Duration.between(lastSeen, OffsetDateTime.now()).abs()).isLessThan(Duration.ofMinutes(5));
        } finally {
            pool.preparedQuery("DELETE FROM identifier_store WHERE value = $1").execute(Tuple.of(value))
                    .await().indefinitely();
        }
    }
}
