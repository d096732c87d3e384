package io.memberpulse.identity;

import com.google.protobuf.InvalidProtocolBufferException;
import io.memberpulse.identity.domain.Identifier;
import io.memberpulse.identity.domain.IdentifierNormalizer;
import io.memberpulse.identity.domain.InvalidIdentifierException;
import io.memberpulse.identity.domain.InvalidSplitException;
import io.memberpulse.identity.domain.MemberMergedAwayException;
import io.memberpulse.identity.domain.MemberNotFoundException;
import io.memberpulse.identity.domain.SplitPlan;
import io.memberpulse.identity.domain.TimeOrderedIds;
import io.memberpulse.identity.store.GraphRepository;
import io.memberpulse.identity.store.WriterLock;
import io.memberpulse.proto.checks.FieldChecks;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.MemberIdentityChange;
import io.memberpulse.proto.identity.v1.MemberSplit;
import io.memberpulse.proto.identity.v1.SplitPart;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

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
            SplitPlan plan = SplitPlan.of(eventsOf(memberId), parts);
            Instant now = Instant.now();
            String splitId = UUID.randomUUID().toString();
            MemberSplit.Builder message = MemberSplit.newBuilder().setOriginalMemberId(memberId).setReason(reason)
                    .setSplitAt(ImportEventsService.timestamp(now));
            List<GraphRepository.SplitPartRow> rows = new ArrayList<>();
            for (int p = 0; p < plan.parts().size(); p++) {
                String partId = TimeOrderedIds.next();
                message.addParts(SplitPart.newBuilder().setMemberId(partId).addAllEventKeys(plan.parts().get(p)));
                rows.add(new GraphRepository.SplitPartRow(partId, plan.parts().get(p), List.copyOf(plan.moved().get(p))));
            }
            split = message.build();
            try {
                byte[] change = MemberIdentityChange.newBuilder().setSplit(split).build().toByteArray();
                graphs.inTransaction(tenure, connection -> repository.recordSplit(connection, splitId, memberId, reason,
                        rows, change, now));
            } finally {
                graphs.invalidate(); // rebuilt from the database, the split and its negative evidence included
            }
        }
        changes.publishPending();
        return split;
    }

    private Map<String, List<Identifier>> eventsOf(String memberId) {
        Map<String, List<Identifier>> events = new HashMap<>();
        for (GraphRepository.StoredEvent stored : repository.eventsOf(memberId).await().indefinitely()) {
            List<Identifier> identifiers;
            try {
                identifiers = EventEvidenceMapper.identifiers(normalizer, ChannelEvent.parseFrom(stored.payload()));
            } catch (InvalidProtocolBufferException | InvalidIdentifierException e) {
                identifiers = List.of();
            }
            events.put(stored.source() + ":" + stored.eventId(), identifiers);
        }
        return events;
    }
}
