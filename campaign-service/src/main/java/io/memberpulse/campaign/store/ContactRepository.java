package io.memberpulse.campaign.store;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Members' masked phones (member_contact), the latest seen on member.events, each with the event that reported it
 * (so that a MemberSplit gives it to the member it gives that event to: IdentityChangeRepository).
 */
@ApplicationScoped
public class ContactRepository {
    private final Pool pool;

    public ContactRepository(Pool pool) {
        this.pool = pool;
    }

    /** source and eventId: the event that reported the phone (source as stored). */
    public record Contact(String memberId, String maskedPhone, Instant seenAt, String source, String eventId) {
    }

    /** In the client's transaction (rows in member order, as every batch writes them: no lock cycle between two). */
    public Uni<Void> upsert(SqlClient client, Collection<Contact> contacts) {
        if (contacts.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> tuples = new ArrayList<>(contacts.size());
        contacts.stream().sorted(Comparator.comparing(Contact::memberId)).forEach(c -> tuples.add(Tuple.of(c.memberId(), c.maskedPhone(), c.seenAt().atOffset(ZoneOffset.UTC), c.source(), c.eventId())));
        return client.preparedQuery("""
                INSERT INTO member_contact (member_id, masked_phone, seen_at, source, event_id) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (member_id) DO UPDATE SET masked_phone = EXCLUDED.masked_phone, seen_at = EXCLUDED.seen_at,
                  source = EXCLUDED.source, event_id = EXCLUDED.event_id
                WHERE member_contact.seen_at <= EXCLUDED.seen_at""")
                .executeBatch(tuples).replaceWithVoid();
    }

    public Uni<Map<String, String>> maskedPhones(Collection<String> memberIds) {
        if (memberIds.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return pool.preparedQuery("SELECT member_id, masked_phone FROM member_contact WHERE member_id = ANY($1)")
                .execute(Tuple.of(memberIds.toArray(String[]::new)))
                .map(rows -> {
                    Map<String, String> phones = new HashMap<>();
                    for (Row row : rows) {
                        phones.put(row.getString(0), row.getString(1));
                    }
                    return phones;
                });
    }
}
