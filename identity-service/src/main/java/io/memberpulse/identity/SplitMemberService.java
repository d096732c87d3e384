package io.memberpulse.identity;

import com.google.protobuf.InvalidProtocolBufferException;
import io.memberpulse.identity.domain.EventKeys;
import io.memberpulse.identity.domain.Identifier;
import io.memberpulse.identity.domain.IdentifierNormalizer;
import io.memberpulse.identity.domain.InvalidIdentifierException;
import io.memberpulse.identity.domain.InvalidSplitException;
import io.memberpulse.identity.domain.MemberMergedAwayException;
import io.memberpulse.identity.domain.MemberNotFoundException;
import io.memberpulse.identity.domain.PlaceholderSplit;
import io.memberpulse.identity.domain.SplitPlan;
import io.memberpulse.identity.domain.TimeOrderedIds;
import io.memberpulse.identity.store.GraphRepository;
import io.memberpulse.identity.store.WriterLock;
import io.memberpulse.proto.checks.FieldChecks;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.MemberIdentityChange;
import io.memberpulse.proto.identity.v1.MemberSplit;
import io.memberpulse.proto.identity.v1.SplitPart;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Undoes a member into parts (a wrong merge found by a person): each part becomes a new member with
 * its events and the identifiers only its events used, MemberSplit goes to member.merges, and the
 * split is kept as negative evidence so the same evidence never merges them again.
 */
@ApplicationScoped
public class SplitMemberService {
    /** Longest reason accepted, in characters: a sentence or two on why the records are two people. */
    public static final int MAX_REASON_LENGTH = 1_000;

    private final GraphRepository repository;
    private final StitchingGraph graphs;
    private final IdentityChanges changes;
    private final IdentifierNormalizer normalizer;

    public SplitMemberService(GraphRepository repository, StitchingGraph graphs, IdentityChanges changes,
            IdentityConfig config) {
        this.repository = repository;
        this.graphs = graphs;
        this.changes = changes;
        this.normalizer = new IdentifierNormalizer(config.identity().defaultRegion(),
                IdentityConfig.guardrails(config)::isBlocked);
    }

    /** Blocking: call from a worker thread. */
    public MemberSplit split(String memberId, List<List<String>> parts, String reason) {
        if (reason == null || reason.isBlank()) {
            throw new InvalidSplitException("reason", "is required");
        }
        // stored with the split and published on member.merges: text PostgreSQL can take (a NUL was a 500)
        FieldChecks.checkFreeText("reason", reason, MAX_REASON_LENGTH);
        MemberSplit split;
        synchronized (graphs) {
            WriterLock.Tenure tenure = graphs.checkWriter();
            graphs.awaitWrites(); // the member's events may be in a batch still being written
            String current = repository.currentMember(memberId).await().indefinitely();
            if (current == null) {
                throw new MemberNotFoundException(memberId);
            }
            if (!current.equals(memberId)) {
                throw new MemberMergedAwayException(memberId, current);
            }
            SplitPlan plan = SplitPlan.of(identifiersOf(parsed(repository.eventsOf(memberId).await().indefinitely())),
                    parts);
            try {
                split = record(tenure, memberId, plan, reason, true, connection -> Uni.createFrom().voidItem());
            } finally {
                graphs.invalidate(); // rebuilt from the database, the split and its negative evidence included
            }
        }
        changes.publishPending();
        return split;
    }

    /**
     * Splits the members that values quarantined after they linked glued together (a walk-in phone found to be a
     * placeholder only after it had linked guests): each part {@link PlaceholderSplit} finds becomes a member as in a
     * split by hand (events, identifiers only they used, merges they caused undone, MemberSplit published), without
     * negative evidence. One transaction per member, which also marks its values unglued: after a crash the rest is
     * left to the next call. Blocking: call from a worker thread; throws {@link NotWriterException} on a standby.
     *
     * @return the splits made
     */
    public List<MemberSplit> unglueQuarantined() {
        if (!repository.anyToUnglue().await().indefinitely()) {
            return List.of();
        }
        List<MemberSplit> splits = new ArrayList<>();
        synchronized (graphs) {
            WriterLock.Tenure tenure = graphs.checkWriter();
            graphs.awaitWrites(); // the batch that found the value, and the ones stitched after it, are in the database
            Map<String, List<Identifier>> byMember = new LinkedHashMap<>();
            List<Identifier> heldByNobody = new ArrayList<>();
            for (GraphRepository.PendingUnglue pending : repository.toUnglue().await().indefinitely()) {
                if (pending.memberId() == null) {
                    heldByNobody.add(pending.identifier());
                } else {
                    byMember.computeIfAbsent(pending.memberId(), m -> new ArrayList<>()).add(pending.identifier());
                }
            }
            Set<Identifier> quarantined = new HashSet<>(repository.quarantined());
            Instant now = Instant.now();
            if (!heldByNobody.isEmpty()) {
                graphs.inTransaction(tenure, connection -> repository.markUnglued(connection, heldByNobody, now));
            }
            try {
                for (Map.Entry<String, List<Identifier>> member : byMember.entrySet()) {
                    unglue(tenure, member.getKey(), member.getValue(), quarantined, now).ifPresent(splits::add);
                }
            } finally {
                if (!byMember.isEmpty()) {
                    graphs.invalidate(); // rebuilt from the database with the parts (once for all the members)
                }
            }
        }
        if (!splits.isEmpty()) {
            changes.publishPending();
        }
        return splits;
    }

    private Optional<MemberSplit> unglue(WriterLock.Tenure tenure, String memberId, List<Identifier> values,
            Set<Identifier> quarantined, Instant now) {
        List<GraphRepository.StoredEvent> rows = repository.eventsOf(memberId).await().indefinitely();
        Map<String, ChannelEvent> events = parsed(rows);
        Map<String, List<Identifier>> identifiers = identifiersOf(events);
        Map<String, String> duplicateOf = new HashMap<>();
        for (GraphRepository.StoredEvent stored : rows) {
            if (stored.duplicateOf() != null) {
                duplicateOf.put(EventKeys.event(stored.source(), stored.eventId()), stored.duplicateOf());
            }
        }
        List<PlaceholderSplit.MemberEvent> memberEvents = new ArrayList<>(events.size());
        events.forEach((key, event) -> {
            String orderId = event == null ? "" : event.getLine().getOrderId();
            memberEvents.add(new PlaceholderSplit.MemberEvent(key, identifiers.get(key),
                    orderId.isBlank() ? null : EventKeys.order(EventKeys.source(key), orderId), duplicateOf.get(key)));
        });
        List<List<String>> parts = PlaceholderSplit.parts(memberEvents, quarantined::contains);
        if (parts.isEmpty()) {
            graphs.inTransaction(tenure, connection -> repository.markUnglued(connection, values, now));
            return Optional.empty();
        }
        String reason = "automatic: " + values.stream().map(Identifier::toString).sorted().collect(Collectors.joining(", "))
                + " found to be a placeholder after it linked: the parts only it held together come apart";
        return Optional.of(record(tenure, memberId, SplitPlan.of(identifiers, parts), reason, false,
                connection -> repository.markUnglued(connection, values, now)));
    }

    /** Writes a split in one transaction fenced by the writer lock, with {@code also} in it. */
    private MemberSplit record(WriterLock.Tenure tenure, String memberId, SplitPlan plan, String reason,
            boolean neverMerge, Function<SqlConnection, Uni<Void>> also) {
        Instant now = Instant.now();
        String splitId = UUID.randomUUID().toString();
        MemberSplit.Builder message = MemberSplit.newBuilder().setOriginalMemberId(memberId).setReason(reason)
                .setSplitAt(EventCodes.timestamp(now));
        List<GraphRepository.SplitPartRow> rows = new ArrayList<>();
        for (int p = 0; p < plan.parts().size(); p++) {
            String partId = TimeOrderedIds.next();
            message.addParts(SplitPart.newBuilder().setMemberId(partId).addAllEventKeys(plan.parts().get(p)));
            rows.add(new GraphRepository.SplitPartRow(partId, plan.parts().get(p), List.copyOf(plan.moved().get(p))));
        }
        MemberSplit split = message.build();
        byte[] change = MemberIdentityChange.newBuilder().setSplit(split).build().toByteArray();
        graphs.inTransaction(tenure, connection -> repository.recordSplit(connection, splitId, memberId, reason, rows,
                change, now, neverMerge).flatMap(v -> also.apply(connection)));
        return split;
    }

    /** Stored events by "source:event_id", parsed (null: one that does not parse), in the order read. */
    private static Map<String, ChannelEvent> parsed(List<GraphRepository.StoredEvent> rows) {
        Map<String, ChannelEvent> events = new LinkedHashMap<>();
        for (GraphRepository.StoredEvent stored : rows) {
            ChannelEvent event;
            try {
                event = ChannelEvent.parseFrom(stored.payload());
            } catch (InvalidProtocolBufferException e) {
                event = null;
            }
            events.put(EventKeys.event(stored.source(), stored.eventId()), event);
        }
        return events;
    }

    private Map<String, List<Identifier>> identifiersOf(Map<String, ChannelEvent> events) {
        Map<String, List<Identifier>> identifiers = new HashMap<>();
        events.forEach((key, event) -> {
            List<Identifier> found;
            try {
                found = event == null ? List.of() : EventEvidenceMapper.identifiers(normalizer, event);
            } catch (InvalidIdentifierException e) {
                found = List.of();
            }
            identifiers.put(key, found);
        });
        return identifiers;
    }
}
