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

    public Uni<List<MemberView.LinkedIdentifier>> identifiers(String memberId) {
        return pool.preparedQuery("SELECT type, value, first_seen, last_seen FROM member_identifier WHERE member_id IN "
                        + MEMBERS_OF + " ORDER BY type, value")
                .execute(Tuple.of(memberId))
                .map(rows -> {
                    List<MemberView.LinkedIdentifier> identifiers = new ArrayList<>(rows.size());
                    for (Row row : rows) {
                        identifiers.add(new MemberView.LinkedIdentifier(IdentifierType.fromCode(row.getString(0)).orElseThrow(),
                                row.getString(1), row.getOffsetDateTime(2).toInstant(), row.getOffsetDateTime(3).toInstant()));
                    }
                    return identifiers;
                });
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
