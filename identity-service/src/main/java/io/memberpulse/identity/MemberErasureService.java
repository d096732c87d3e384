package io.memberpulse.identity;

import com.google.protobuf.InvalidProtocolBufferException;
 
import io.memberpulse.identity.domain.MemberNotFoundException;
import io.memberpulse.identity.store.ErasureRepository;
import io.memberpulse.identity.store.ErasureRepository.ErasureRow;
import io.memberpulse.identity.store.GraphRepository;
import io.memberpulse.identity.store.WriterLock;
import io.memberpulse.proto.checks.FieldChecks;
import io.memberpulse.proto.checks.InvalidFieldException;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.MemberErased;
import io.memberpulse.proto.identity.v1.MemberIdentityChange;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.jwt.JsonWebToken;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Erases a member at the person's request (PIPL Art. 47 / GDPR Art. 17): the member an id stands for now and every
 * member merged into it lose their identifiers (wherever a value is stored), their events keep only what names nobody
 * ({@link ErasedEvents}), they are marked erased and read as unknown, and MemberErased goes to member.merges for rfm,
 * churn and campaign to delete what they hold. Written as a split is, by the writer only, in one transaction fenced by
 * the writer lock; then the erased members are erased in the in-memory graph too ({@link StitchingGraph#erase}: a
 * rebuild where that cannot mirror the database), so the same phone seen again makes a new member. Asked again, the first erasure answers and nothing changes.
 */
@ApplicationScoped
public class MemberErasureService {
    private static final Logger LOG = Logger.getLogger(MemberErasureService.class);
    /** Longest reference accepted: a ticket number in the controller's own case system. */
    public static final int MAX_REFERENCE_LENGTH = 200;

    private final ErasureRepository erasures;
    private final GraphRepository graphRepository;
    private final StitchingGraph graphs;
    private final IdentityChanges changes;
    private final Counter erased;
    /** Drop the graph after every erasure, as before it was erased in place: for a benchmark's comparison only. */
    private final boolean rebuildGraph;

    public MemberErasureService(ErasureRepository erasures, GraphRepository graphRepository, StitchingGraph graphs,
            IdentityChanges changes, MeterRegistry registry, IdentityConfig config) {
        this.rebuildGraph = config.identity().erasure().rebuildGraph();
        this.erasures = erasures;
        this.graphRepository = graphRepository;
        this.graphs = graphs;
        this.changes = changes;
        this.erased = Counter.builder("memberpulse.identity.erasures")
                .description("members erased at their request (a repeated request is not counted)").register(registry);
    }

    /** The erasure, as recorded. */
    public record Erasure(String erasureId, String memberId, List<String> absorbedMemberIds, String reference,
            String requestedBy, Instant erasedAt) {
        static Erasure of(ErasureRow row) {
            return new Erasure(row.id(), row.memberId(), List.copyOf(row.absorbedMemberIds()), row.reference(),
                    row.requestedBy(), row.erasedAt());
        }
    }

    /** Required, at most {@link #MAX_REFERENCE_LENGTH} characters, no control characters. */
    public static void checkReference(String reference) {
        if (reference == null || reference.isBlank()) {
            throw new InvalidFieldException("reference", "is required: the erasure request's ticket number");
        }
        FieldChecks.checkText("reference", reference, MAX_REFERENCE_LENGTH);
    }

    /**
     * Erases the member this id stands for now (an absorbed member's: the member it was merged into). Blocking: call
     * from a worker thread. Throws {@link MemberNotFoundException} for an unknown id, {@link NotWriterException} on a
     * standby (a repeated request is answered there too), {@link InvalidFieldException} for a bad reference.
     *
     * @param requestedBy the steward's token subject
     */
    public Erasure erase(String memberId, String reference, String requestedBy) {
        FieldChecks.checkId("member_id", memberId);
        checkReference(reference);
        ErasureRow done = erasures.erasureOfMember(memberId).await().indefinitely();
        if (done != null) {
            return Erasure.of(done);
        }
        ErasureRow row;
        synchronized (graphs) {
            WriterLock.Tenure tenure = graphs.checkWriter();
            graphs.awaitWrites(); // the member's events may be in a batch still being written
            done = erasures.erasureOfMember(memberId).await().indefinitely();
            if (done != null) {
                return Erasure.of(done);
            }
            List<String> members = erasures.cluster(memberId).await().indefinitely();
            if (members.isEmpty()) {
                throw new MemberNotFoundException(memberId);
            }
            String person = members.get(0);
            Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS); // as PostgreSQL keeps it: the repeat answers alike
            row = new ErasureRow(UUID.randomUUID().toString(), person, List.copyOf(members.subList(1, members.size())),
                    reference, requestedBy, now);
            byte[] change = MemberIdentityChange.newBuilder().setErased(MemberErased.newBuilder().setMemberId(person)
                    .addAllAbsorbedMemberIds(row.absorbedMemberIds()).setErasedAt(EventCodes.timestamp(now))
                    .setErasureId(row.id())).build().toByteArray();
            List<ErasureRepository.ScrubbedEvent> events = scrubbed(graphRepository.eventsOf(person).await().indefinitely());
            ErasureRow recorded = row;
            boolean committed = false;
            try {
                graphs.inTransaction(tenure, connection -> erasures.erase(connection, recorded, members, events, change));
                committed = true;
            } finally {
                if (committed && !rebuildGraph) {
                    graphs.erase(members); // the erased values link nobody any more (rebuilt if it cannot be done there)
                } else {
                    graphs.invalidate(); // rebuilt from the database
                }
            }
        }
        erased.increment();
        LOG.infof("member %s erased (absorbed members %s), erasure %s", row.memberId(), row.absorbedMemberIds(), row.id());
        changes.publishPending(); // a broker outage leaves it queued for the relay
        return Erasure.of(row);
    }

    /** Whom an erasure is recorded for: the caller's token subject. */
    public static String subjectOf(SecurityIdentity caller) {
        return caller.getPrincipal() instanceof JsonWebToken jwt && jwt.getSubject() != null ? jwt.getSubject()
                : caller.getPrincipal().getName();
    }

    /** The erasure with this id, or null. */
    public Erasure erasure(String erasureId) {
        FieldChecks.checkId("erasure_id", erasureId);
        ErasureRow row = erasures.erasure(erasureId).await().indefinitely();
        return row == null ? null : Erasure.of(row);
    }

    private static List<ErasureRepository.ScrubbedEvent> scrubbed(List<GraphRepository.StoredEvent> stored) {
        List<ErasureRepository.ScrubbedEvent> scrubbed = new ArrayList<>(stored.size());
        for (GraphRepository.StoredEvent event : stored) {
            byte[] payload;
            try {
                payload = ErasedEvents.scrubbed(ChannelEvent.parseFrom(event.payload())).toByteArray();
            } catch (InvalidProtocolBufferException e) {
                payload = new byte[0]; // unreadable, and so unreadable to anybody: nothing of it is kept
            }
            scrubbed.add(new ErasureRepository.ScrubbedEvent(event.source(), event.eventId(), payload));
        }
        return scrubbed;
    }
}
