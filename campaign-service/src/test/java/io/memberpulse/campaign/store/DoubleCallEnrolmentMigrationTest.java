package io.memberpulse.campaign.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * V29 on a database that V24's first-come rule came too late for: the migrations up to V28 in a schema of their own,
 * members enrolled in two call campaigns whose windows overlap, then the rest of the migrations. The first enrolment
 * stays and the later one is recorded as excluded for overlap, unless an outcome hangs on the later one.
 */
@QuarkusTest
class DoubleCallEnrolmentMigrationTest {
    private static final String BEFORE = "28";

    @Inject
    DataSource dataSource;

    private String schema;

    private Flyway flyway(String target) {
        return Flyway.configure().dataSource(dataSource).schemas(schema).createSchemas(true)
                .locations("classpath:db/migration").target(target).load();
    }

    @BeforeEach
    void migrateUpToTheOneBefore() {
        schema = "v29_" + UUID.randomUUID().toString().replace("-", "");
        flyway(BEFORE).migrate();
    }

    @AfterEach
    void dropSchema() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA " + schema + " CASCADE");
        }
    }

    @Test
    void theFirstEnrolmentStaysUnlessAnOutcomeHangsOnTheOther() throws SQLException {
        // a and b: call campaigns whose windows overlap; c: a call campaign after a's window; s: an SMS campaign.
        sql("""
                INSERT INTO campaign (id, name, target_min_probability, channel, cost_per_touch, coupon_value, start_at,
                  end_at, holdout_share, state, created_at)
                VALUES ('a', 'a', 0.5, 'call', 0, 0, '2026-01-01Z', '2026-02-01Z', 0.1, 'LIVE', '2026-01-01Z'),
                       ('b', 'b', 0.5, 'call', 0, 0, '2026-01-15Z', '2026-02-15Z', 0.1, 'LIVE', '2026-01-15Z'),
                       ('c', 'c', 0.5, 'call', 0, 0, '2026-02-01Z', '2026-03-01Z', 0.1, 'LIVE', '2026-02-01Z'),
                       ('s', 's', 0.5, 'sms', 1, 0, '2026-01-01Z', '2026-02-01Z', 0.1, 'LIVE', '2026-01-01Z')""");
        sql("""
                INSERT INTO campaign_member (campaign_id, member_id, store_id, arm, enrolled_at) VALUES
                  ('a', 'first-in-a', 's1', 'TREATED', '2026-01-01Z'), ('b', 'first-in-a', 's1', 'TREATED', '2026-01-15Z'),
                  ('a', 'first-in-b', 's1', 'HOLDOUT', '2026-01-20Z'), ('b', 'first-in-b', 's1', 'TREATED', '2026-01-15Z'),
                  ('a', 'tie', 's1', 'TREATED', '2026-01-15Z'), ('b', 'tie', 's1', 'TREATED', '2026-01-15Z'),
                  ('a', 'called-in-b', 's1', 'TREATED', '2026-01-01Z'), ('b', 'called-in-b', 's1', 'TREATED', '2026-01-15Z'),
                  ('a', 'called-in-both', 's1', 'TREATED', '2026-01-01Z'),
                  ('b', 'called-in-both', 's1', 'TREATED', '2026-01-15Z'),
                  ('a', 'a-then-c', 's1', 'TREATED', '2026-01-01Z'), ('c', 'a-then-c', 's1', 'TREATED', '2026-02-01Z'),
                  ('a', 'call-and-sms', 's1', 'TREATED', '2026-01-01Z'), ('s', 'call-and-sms', 's1', 'TREATED', '2026-01-01Z')""");
        // Calls with recorded outcomes: called-in-b's counted for b, called-in-both's one for each; an open call of
        // first-in-a's for b has no outcome.
        sql("""
                INSERT INTO call_task (id, member_id, store_id, campaign_id, probability, member_value, value_at_risk,
                  status, created_at, due_at, closed_at)
                VALUES ('t1', 'called-in-b', 's1', 'b', 0.9, 100, 90, 'DONE', '2026-01-16Z', '2026-01-19Z', '2026-01-17Z'),
                       ('t2', 'called-in-both', 's1', 'a', 0.9, 100, 90, 'DONE', '2026-01-02Z', '2026-01-05Z', '2026-01-03Z'),
                       ('t3', 'called-in-both', 's1', 'b', 0.9, 100, 90, 'DONE', '2026-01-16Z', '2026-01-19Z', '2026-01-17Z'),
                       ('t4', 'first-in-a', 's1', 'b', 0.9, 100, 90, 'OPEN', '2026-01-16Z', '2026-01-19Z', NULL)""");
        sql("""
                INSERT INTO task_outcome (task_id, member_id, store_id, reached, result, recorded_at)
                VALUES ('t1', 'called-in-b', 's1', true, 'will_return', '2026-01-17Z'),
                       ('t2', 'called-in-both', 's1', false, 'not_reached', '2026-01-03Z'),
                       ('t3', 'called-in-both', 's1', true, 'will_return', '2026-01-17Z')""");

        flyway("latest").migrate();

        assertThat(rows("SELECT campaign_id || ':' || member_id FROM campaign_member ORDER BY 1")).containsExactly(
                "a:a-then-c", "a:call-and-sms", "a:called-in-both", "a:first-in-a", "a:tie",
                "b:called-in-b", "b:called-in-both", "b:first-in-b",
                "c:a-then-c", "s:call-and-sms");
        assertThat(rows("SELECT campaign_id || ':' || member_id || '<-' || enrolled_in FROM campaign_overlap_exclusion"
                + " ORDER BY 1")).containsExactly("a:called-in-b<-b", "a:first-in-b<-b", "b:first-in-a<-a", "b:tie<-a");
        assertThat(rows("SELECT task_id FROM task_outcome ORDER BY 1")).as("no outcome lost")
                .containsExactly("t1", "t2", "t3");
        assertThat(rows("SELECT id || ':' || coalesce(campaign_id, '-') FROM call_task ORDER BY 1"))
                .as("the open call counting for a dropped enrolment counts for none until the next replan")
                .containsExactly("t1:b", "t2:a", "t3:b", "t4:-");
    }

    private void sql(String statement) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("SET search_path TO " + schema);
            try {
                s.execute(statement);
            } finally {
                s.execute("RESET search_path");
            }
        }
    }

    private List<String> rows(String query) throws SQLException {
        List<String> found = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("SET search_path TO " + schema);
            try (ResultSet rows = s.executeQuery(query)) {
                while (rows.next()) {
                    found.add(rows.getString(1));
                }
            } finally {
                s.execute("RESET search_path");
            }
        }
        return found;
    }
}
