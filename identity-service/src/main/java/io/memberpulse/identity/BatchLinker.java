package io.memberpulse.identity;

import io.memberpulse.identity.domain.EventEvidence;
import io.memberpulse.identity.domain.Identifier;
import io.memberpulse.identity.domain.IdentifierNormalizer;
import io.memberpulse.identity.domain.IdentityGraph;
import io.memberpulse.identity.store.EventRow;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The stitching step of an import, apart from the database so that the evaluation runs exactly it:
 * duplicate order lines are found, then the batch's member-bearing events are linked through the
 * identity graph in the order things happened, whatever the order of the batch.
 */
public final class BatchLinker {
    private BatchLinker() {
    }

    /**
     * @param duplicateOf for each fresh event, the "source:event_id" of the earlier report of its order line, or null
     * @param evidence    what was linked, in the order it was linked (member-bearing events only)
     * @param retracted   stored lines counted before and found now to repeat another stored line, flagged as such
     */
    public record Linked(IdentityGraph.BatchOutcome outcome, String[] duplicateOf, List<EventEvidence> evidence,
            List<EventRow> retracted) {
    }

    /**
     * @param fresh  events not imported before (valid ones only)
     * @param nearby order lines already stored near the batch in time and place
     */
    public static Linked link(IdentityGraph graph, IdentifierNormalizer normalizer, List<ChannelEvent> fresh,
            List<EventRow> nearby, Duration orderWindow, Supplier<String> newMemberId) {
        return link(graph, event -> EventEvidenceMapper.identifiers(normalizer, event), fresh, nearby, orderWindow,
                newMemberId);
    }

    /** @param identifiers the normalised identifiers of an event (as validation found them, if it did) */
    public static Linked link(IdentityGraph graph, Function<ChannelEvent, List<Identifier>> identifiers,
            List<ChannelEvent> fresh, List<EventRow> nearby, Duration orderWindow, Supplier<String> newMemberId) {
        DuplicateOrders.Found found = DuplicateOrders.duplicateOf(fresh, nearby, orderWindow, identifiers,
                graph::namesNobody);
        String[] duplicateOf = found.duplicateOf();
        List<EventEvidence> inputs = new ArrayList<>(fresh.size());
        for (int i = 0; i < fresh.size(); i++) {
            ChannelEvent event = fresh.get(i);
            if (event.getType() != EventType.EVENT_TYPE_STOCKOUT) {
                inputs.add(EventEvidenceMapper.evidence(i, event, identifiers.apply(event), duplicateOf[i]));
            }
        }
        inputs.sort(Comparator.comparing(EventEvidence::occurredAt));
        Map<String, String> storedMembers = new HashMap<>();
        for (EventRow row : nearby) {
            if (row.memberId() != null) {
                storedMembers.put(row.reference(), row.memberId());
            }
        }
        List<IdentityGraph.RepeatedReport> repeated = new ArrayList<>();
        for (EventRow line : found.retracted()) {
            String original = storedMembers.get(line.duplicateOf());
            if (line.memberId() != null && original != null) {
                repeated.add(new IdentityGraph.RepeatedReport(line.reference(), line.memberId(), line.duplicateOf(),
                        original, line.occurredAt()));
            }
        }
        return new Linked(graph.stitch(inputs, newMemberId, storedMembers, repeated), duplicateOf, inputs,
                found.retracted());
    }
}
