package io.memberpulse.identity.store;

import io.memberpulse.identity.domain.IdentifierType;
import io.memberpulse.identity.domain.MemberView;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads of one member through member_current: a surviving member answers with everything its
 * absorbed members held (their identifiers, past holding periods and events); an absorbed member
 * answers with its own, and names its survivor.
 */
@ApplicationScoped
public class MemberReadRepository {
    /** The members whose identifiers and events are this member's: its cluster if it survives, else itself. */
    private static final String MEMBERS_OF = "(SELECT member_id FROM member_current WHERE current_id = $1::text UNION SELECT $1::text)";

    private final Pool pool;

    public MemberReadRepository(Pool pool) {
        this.pool = pool;
    }

    /** The identifiers a member holds: those that link, and those quarantined after they were linked. */
    public record HeldIdentifiers(List<MemberView.LinkedIdentifier> linking, List<MemberView.LinkedIdentifier> quarantined) {
    }

    public Uni<HeldIdentifiers> identifiers(String memberId) {
        return pool.preparedQuery("""
                        SELECT i.type, i.value, i.first_seen, i.last_seen, q.type IS NOT NULL
                        FROM member_identifier i LEFT JOIN quarantined_identifier q ON q.type = i.type AND q.value = i.value
                        WHERE i.member_id IN """ + MEMBERS_OF + " ORDER BY i.type, i.value")
                .execute(Tuple.of(memberId))
                .map(rows -> {
                    List<MemberView.LinkedIdentifier> linking = new ArrayList<>(rows.size());
                    List<MemberView.LinkedIdentifier> quarantined = new ArrayList<>();
                    for (Row row : rows) {
                        var identifier = new MemberView.LinkedIdentifier(IdentifierType.fromCode(row.getString(0)).orElseThrow(),
                                row.getString(1), row.getOffsetDateTime(2).toInstant(), row.getOffsetDateTime(3).toInstant());
                        (row.getBoolean(4) ? quarantined : linking).add(identifier);
                    }
                    return new HeldIdentifiers(linking, quarantined);
                });
    }

    /**
     * The current member (after any merge) holding this identifier, or null when nobody does or the value
     * is quarantined: a quarantined value (a placeholder found after it was linked) stands for nobody.
     */
    public Uni<String> currentHolder(String type, String value) {
        return pool.preparedQuery("""
                        SELECT member_current_of(i.member_id) FROM member_identifier i
                        WHERE i.type = $1 AND i.value = $2
                          AND NOT EXISTS (SELECT 1 FROM quarantined_identifier q WHERE q.type = i.type AND q.value = i.value)""")
                .execute(Tuple.of(type, value))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString(0));
    }

    /** Identifiers this member held once and that moved on (a phone re-issued to someone else), oldest first. */
    public Uni<List<MemberView.PastIdentifier>> pastIdentifiers(String memberId) {
        return pool.preparedQuery("SELECT type, value, first_seen, last_seen, ended_at FROM member_identifier_period "
                        + "WHERE member_id IN " + MEMBERS_OF + " ORDER BY first_seen, type, value")
                .execute(Tuple.of(memberId))
                .map(rows -> {
                    List<MemberView.PastIdentifier> periods = new ArrayList<>(rows.size());
                    for (Row row : rows) {
                        periods.add(new MemberView.PastIdentifier(IdentifierType.fromCode(row.getString(0)).orElseThrow(),
                                row.getString(1), row.getOffsetDateTime(2).toInstant(), row.getOffsetDateTime(3).toInstant(),
                                row.getOffsetDateTime(4).toInstant()));
                    }
                    return periods;
                });
    }

    public Uni<Long> eventCount(String memberId) {
        return pool.preparedQuery("SELECT count(*) FROM channel_event WHERE member_id IN " + MEMBERS_OF)
                .execute(Tuple.of(memberId)).map(rows -> rows.iterator().next().getLong(0));
    }
}
