package io.memberpulse.campaign.store;

import io.memberpulse.campaign.CampaignConfig;
import io.memberpulse.campaign.domain.ContactReveal;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Members' phones (member_contact: masked for call lists, full only for a recorded reveal) and member numbers
 * (member_number), the latest seen on member.events, each with the event that reported it (so that a MemberSplit gives
 * it to the member it gives that event to: IdentityChangeRepository).
 */
@ApplicationScoped
public class ContactRepository {
    private final Pool pool;
    /** Off with contact reveals: nobody may read a full phone, so none is kept (the masked one is). */
    private final boolean keepsFullPhones;

    public ContactRepository(Pool pool, CampaignConfig config) {
        this.pool = pool;
        this.keepsFullPhones = config.campaign().contactReveal().enabled();
    }

    /**
     * @param phone  the full phone as reported, null when it was reported masked
     * @param source with eventId, the event that reported the phone (source as stored)
     */
    public record Contact(String memberId, String maskedPhone, String phone, Instant seenAt, String source, String eventId) {
    }

    /** A POS / loyalty member number as reported, with the event that reported it. */
    public record MemberNumber(String memberId, String memberNo, Instant seenAt, String source, String eventId) {
    }

    /**
     * In the client's transaction (rows in member order, as every batch writes them: no lock cycle between two). With
     * contact reveals off, the full phone is stored as null: a member's number stored before is cleared by their next
     * phone.
     */
    public Uni<Void> upsert(SqlClient client, Collection<Contact> contacts) {
        if (contacts.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> tuples = new ArrayList<>(contacts.size());
        contacts.stream().sorted(Comparator.comparing(Contact::memberId)).forEach(c -> tuples.add(Tuple.of(c.memberId(),
                c.maskedPhone(), keepsFullPhones ? c.phone() : null, c.seenAt().atOffset(ZoneOffset.UTC), c.source(), c.eventId())));
        return client.preparedQuery("""
                INSERT INTO member_contact (member_id, masked_phone, phone, seen_at, source, event_id)
                VALUES ($1, $2, $3, $4, $5, $6)
                ON CONFLICT (member_id) DO UPDATE SET masked_phone = EXCLUDED.masked_phone, phone = EXCLUDED.phone,
                  seen_at = EXCLUDED.seen_at, source = EXCLUDED.source, event_id = EXCLUDED.event_id
                WHERE member_contact.seen_at <= EXCLUDED.seen_at""")
                .executeBatch(tuples).replaceWithVoid();
    }

    /** As {@link #upsert}, for member numbers. */
    public Uni<Void> upsertNumbers(SqlClient client, Collection<MemberNumber> numbers) {
        if (numbers.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> tuples = new ArrayList<>(numbers.size());
        numbers.stream().sorted(Comparator.comparing(MemberNumber::memberId)).forEach(n -> tuples.add(Tuple.of(
                n.memberId(), n.memberNo(), n.seenAt().atOffset(ZoneOffset.UTC), n.source(), n.eventId())));
        return client.preparedQuery("""
                INSERT INTO member_number (member_id, member_no, seen_at, source, event_id) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (member_id) DO UPDATE SET member_no = EXCLUDED.member_no, seen_at = EXCLUDED.seen_at,
                  source = EXCLUDED.source, event_id = EXCLUDED.event_id
                WHERE member_number.seen_at <= EXCLUDED.seen_at""")
                .executeBatch(tuples).replaceWithVoid();
    }

    /**
     * Those of the members staff cannot reach for a call: campaign holds for them no phone staff can dial (a full one,
     * which they have revealed per task; with contact reveals off nothing is revealed, so no phone counts, and a
     * masked-only phone, as delivery platforms report it, never can be) and no POS member number (staff look the
     * member up in their POS). Read committed, outside the caller's session.
     */
    public Uni<Set<String>> unreachable(Collection<String> memberIds) {
        return unreachable(pool, memberIds);
    }

    /**
     * The members this batch of phones and member numbers makes reachable, read before it is written in the client's
     * transaction: those it brings a dialable phone or a member number who have neither stored yet.
     */
    public Uni<Set<String>> newlyReachable(SqlClient client, Collection<Contact> contacts, Collection<MemberNumber> numbers) {
        Set<String> reaching = new HashSet<>();
        contacts.stream().filter(c -> keepsFullPhones && c.phone() != null).forEach(c -> reaching.add(c.memberId()));
        numbers.forEach(number -> reaching.add(number.memberId()));
        return unreachable(client, reaching);
    }

    private Uni<Set<String>> unreachable(SqlClient client, Collection<String> memberIds) {
        if (memberIds.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        return client.preparedQuery("""
                        SELECT m.member_id FROM unnest($1::text[]) AS m (member_id)
                        WHERE NOT EXISTS (SELECT 1 FROM member_number n WHERE n.member_id = m.member_id)
                          AND NOT ($2 AND EXISTS (
                            SELECT 1 FROM member_contact c WHERE c.member_id = m.member_id AND c.phone IS NOT NULL))""")
                .execute(Tuple.of(memberIds.toArray(String[]::new), keepsFullPhones))
                .map(rows -> {
                    Set<String> found = new HashSet<>();
                    rows.forEach(row -> found.add(row.getString(0)));
                    return found;
                });
    }

    /** The members' member numbers, where one was reported. */
    public Uni<Map<String, String>> memberNumbers(Collection<String> memberIds) {
        return byMember("SELECT member_id, member_no FROM member_number WHERE member_id = ANY($1)", memberIds);
    }

    /**
     * In one transaction: the task and its member's full phone (null: no such task), which {@code check} may refuse by
     * throwing; a phone it lets through is recorded as revealed to {@code caller}. The task row is locked for it, so an
     * outcome or merge at the same time lands before the reveal's check or after its record.
     */
    public Uni<ContactReveal> reveal(String taskId, Consumer<ContactReveal> check, String caller, Instant now) {
        return pool.withTransaction(connection -> connection.preparedQuery("""
                        SELECT t.member_id, t.store_id, t.status, c.phone FROM call_task t
                        LEFT JOIN member_contact c ON c.member_id = t.member_id WHERE t.id = $1 FOR SHARE OF t""")
                .execute(Tuple.of(taskId))
                .flatMap(rows -> {
                    if (rows.size() == 0) {
                        return Uni.createFrom().nullItem();
                    }
                    Row row = rows.iterator().next();
                    ContactReveal found = new ContactReveal(taskId, row.getString(0), row.getString(1), row.getString(2),
                            row.getString(3));
                    check.accept(found);
                    if (found.phone() == null) {
                        return Uni.createFrom().item(found);
                    }
                    return connection.preparedQuery("""
                                    INSERT INTO contact_reveal (task_id, member_id, caller, revealed_at) VALUES ($1, $2, $3, $4)""")
                            .execute(Tuple.of(taskId, found.memberId(), caller, now.atOffset(ZoneOffset.UTC)))
                            .replaceWith(found);
                }));
    }

    public Uni<Map<String, String>> maskedPhones(Collection<String> memberIds) {
        return byMember("SELECT member_id, masked_phone FROM member_contact WHERE member_id = ANY($1)", memberIds);
    }

    private Uni<Map<String, String>> byMember(String query, Collection<String> memberIds) {
        if (memberIds.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return pool.preparedQuery(query)
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
