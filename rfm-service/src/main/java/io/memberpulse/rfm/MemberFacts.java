package io.memberpulse.rfm;

import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.merges.ArrivingEvent;
import io.memberpulse.proto.merges.CountedOrder;
import io.memberpulse.proto.merges.EventOwners;
import io.memberpulse.proto.store.ErasedMembers;
import io.memberpulse.rfm.domain.MemberFact;
import io.memberpulse.rfm.domain.MemberHistory;
import io.memberpulse.rfm.domain.PurchaseLine;
import io.memberpulse.rfm.store.ActivityRepository;
import io.memberpulse.rfm.store.ChurnRiskRepository;
import io.memberpulse.rfm.store.IdentityChangeRepository;
import io.memberpulse.rfm.store.PurchaseLineRepository;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The facts of members as stored: records a batch of member events (purchase lines and other facts,
 * each once per source and event id, under the member a split gave the event to, and under the surviving
 * member when that member was merged away; an event that belongs to an erased member now is dropped,
 * ErasedMembers.withoutErased) and loads members' whole histories back. Blocking.
 */
@ApplicationScoped
public class MemberFacts {
    private final PurchaseLineRepository lines;
    private final ActivityRepository activities;
    private final IdentityChangeRepository identities;
    private final ChurnRiskRepository risks;

    public MemberFacts(PurchaseLineRepository lines, ActivityRepository activities, IdentityChangeRepository identities,
            ChurnRiskRepository risks) {
        this.lines = lines;
        this.activities = activities;
        this.identities = identities;
        this.risks = risks;
    }

    /**
     * What a batch recorded: new purchase lines, stored lines it retracted, the members it touched, and the events it
     * dropped because they came under or belong to an erased member.
     */
    public record Recorded(int newLines, int retractedLines, Set<String> touched, int droppedErased) {
    }

    /**
     * Looks up where the events belong and inserts them in one transaction that holds the identity lock shared
     * (IdentityChangeRepository.inRecordingTransaction): a merge or split applied meanwhile, on any replica, either
     * committed before the look-up or waits for the commit and then moves these rows itself. After the commit, the
     * batch's lines that a retraction committed meanwhile on another replica are deleted
     * (PurchaseLineRepository.deleteRetractedAmong).
     *
     * <p>The members touched by the batch's retractions are those whose line a retraction of its keys ever deleted, as
     * the retraction table keeps them (PurchaseLineRepository.holdersOfRetracted), not only those this call deleted: a batch is
     * retried whole when its recomputation fails after this committed, and redelivered after a crash, and then deletes
     * nothing; its touched members must not shrink, or the holder's row, cache and segments would keep the line.
     */
    public Recorded record(List<MemberEvent> events) {
        List<ArrivingEvent> arriving = EventOwners.arriving(events);
        Stored stored = identities.inRecordingTransaction(transaction -> identities.ownersOf(transaction, arriving)
                .chain(owners -> ErasedMembers.withoutErased(transaction, EventOwners.underOwners(events, owners)))
                .chain(kept -> insert(transaction, kept.events(), kept.dropped())))
                .await().indefinitely();
        // In parallel: a line deleteRetractedAmong deletes now it returns itself; the holders read are those deleted before.
        var after = Uni.combine().all().unis(lines.deleteRetractedAmong(stored.lineKeys()),
                lines.holdersOfRetracted(stored.retractedKeys())).asTuple().await().indefinitely();
        List<String> raced = after.getItem1();
        Set<String> holders = after.getItem2();
        if (raced.isEmpty() && stored.recorded().touched().containsAll(holders)) {
            return stored.recorded();
        }
        Set<String> touched = new LinkedHashSet<>(stored.recorded().touched());
        touched.addAll(raced);
        touched.addAll(holders);
        return new Recorded(stored.recorded().newLines(), stored.recorded().retractedLines() + raced.size(), touched,
                stored.recorded().droppedErased());
    }

    /** What the recording transaction stored, the keys of the batch's lines and retractions, and of its retractions. */
    private record Stored(Recorded recorded, List<PurchaseLineRepository.LineKey> lineKeys, List<PurchaseLineRepository.LineKey> retractedKeys) {
    }

    /**
     * Inserts the facts of the events (under their owners); {@code droppedErased} events were left out, as they came
     * under or belong to an erased member: under the identity lock, so an erasure committing meanwhile is either seen
     * here or deletes these rows.
     */
    private Uni<Stored> insert(SqlConnection transaction, List<MemberEvent> events, int droppedErased) {
        List<PurchaseLineRepository.StoredLine> newLines = new ArrayList<>();
        List<ActivityRepository.StoredFact> newFacts = new ArrayList<>();
        List<PurchaseLineRepository.LineKey> retracted = new ArrayList<>();
        Set<String> touched = new LinkedHashSet<>();
        for (MemberEvent event : events) {
            Instant at = EventFacts.occurredAt(event);
            if (event.getMemberId().isEmpty()) {
                continue;
            }
            String member = event.getMemberId();
            String source = EventFacts.source(event);
            String eventId = event.getEvent().getEventId();
            if (EventFacts.retracts(event)) {
                retracted.add(new PurchaseLineRepository.LineKey(source, eventId));
            }
            PurchaseLine line = EventFacts.toLine(event, at);
            if (line != null) {
                newLines.add(new PurchaseLineRepository.StoredLine(source, eventId, member, line,
                        event.getEvent().getLine().getDiscountAmount(), event.getEvent().getLine().getSku(),
                        CountedOrder.sourceOf(event), EventFacts.publicationVersion(event)));
                touched.add(member);
            }
            MemberFact fact = EventFacts.toFact(event, at);
            if (fact != null) {
                newFacts.add(new ActivityRepository.StoredFact(source, eventId, member, fact));
                touched.add(member);
            }
        }
        // Independent statements: sent together, pipelined on the transaction's connection. A line and its retraction
        // in one batch end uncounted in either order (insertLines skips retracted keys). A retracted line's member is
        // the one holding it (the row's), whom the event may no longer name.
        return Uni.combine().all().unis(lines.insertLines(transaction, newLines), lines.retractLines(transaction, retracted),
                activities.insert(transaction, newFacts)).asTuple().map(done -> {
                    touched.addAll(done.getItem2());
                    List<PurchaseLineRepository.LineKey> keys = new ArrayList<>(retracted);
                    newLines.forEach(line -> keys.add(new PurchaseLineRepository.LineKey(line.source(), line.eventId())));
                    return new Stored(new Recorded(done.getItem1(), done.getItem2().size(), touched, droppedErased), keys,
                            retracted);
                });
    }

    public Map<String, MemberHistory> historiesOf(Collection<String> memberIds) {
        var read = Uni.combine().all().unis(lines.linesOf(memberIds), activities.factsOf(memberIds),
                risks.probabilities(memberIds)).asTuple().await().indefinitely();
        Map<String, List<PurchaseLine>> purchases = read.getItem1();
        Map<String, List<MemberFact>> facts = read.getItem2();
        Map<String, Double> probabilities = read.getItem3();
        Map<String, MemberHistory> histories = new HashMap<>();
        for (String id : memberIds) {
            List<PurchaseLine> memberLines = purchases.get(id);
            List<MemberFact> memberFacts = facts.get(id);
            if (memberLines != null || memberFacts != null) {
                histories.put(id, new MemberHistory(memberLines == null ? List.of() : memberLines,
                        memberFacts == null ? List.of() : memberFacts, probabilities.get(id)));
            }
        }
        return histories;
    }
}
