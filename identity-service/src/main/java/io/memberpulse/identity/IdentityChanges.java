package io.memberpulse.identity;

import com.google.protobuf.InvalidProtocolBufferException;
import io.memberpulse.identity.domain.MergeRecord;
import io.memberpulse.identity.store.GraphRepository;
import io.memberpulse.identity.stream.out.MemberMergesPublisher;
import io.memberpulse.proto.identity.v1.MemberIdentityChange;
import io.memberpulse.proto.identity.v1.MemberMerged;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The member.merges outbox: changes are written in the transaction that merges or splits, then
 * published here and marked; whatever a broker outage left unpublished goes out on the next call
 * (after the next merge, or from the relay).
 */
@ApplicationScoped
public class IdentityChanges {
    private static final Logger LOG = Logger.getLogger(IdentityChanges.class);
    private static final int PAGE = 5_000;

    private final GraphRepository repository;
    private final MemberMergesPublisher publisher;

    public IdentityChanges(GraphRepository repository, MemberMergesPublisher publisher) {
        this.repository = repository;
        this.publisher = publisher;
    }

    static MemberIdentityChange merged(MergeRecord merge, String evidenceId, Instant at) {
        return MemberIdentityChange.newBuilder().setMerged(MemberMerged.newBuilder()
                .setSurvivingMemberId(merge.survivingMemberId()).setAbsorbedMemberId(merge.absorbedMemberId())
                .setRule(merge.rule()).setScore(merge.score()).setEvidenceId(evidenceId)
                .setMergedAt(EventCodes.timestamp(at))).build();
    }

    /**
     * Publishes every queued change, oldest first; blocking. A failure leaves the rest queued. On the writer only
     * (after its merges and splits, and from its relay): synchronized, the changes go out in order from one instance,
     * but a standby reading them at the same time could send an older change of a member after the writer sent a newer
     * one (a merge after its split).
     */
    public synchronized int publishPending() {
        int published = 0;
        while (true) {
            List<GraphRepository.ChangeRow> rows = repository.unpublishedChanges(PAGE).await().indefinitely();
            if (rows.isEmpty()) {
                return published;
            }
            List<MemberMergesPublisher.KeyedChange> changes = new ArrayList<>(rows.size());
            List<Long> ids = new ArrayList<>(rows.size());
            for (GraphRepository.ChangeRow row : rows) {
                ids.add(row.id());
                try {
                    changes.add(new MemberMergesPublisher.KeyedChange(row.memberKey(),
                            MemberIdentityChange.parseFrom(row.payload())));
                } catch (InvalidProtocolBufferException e) {
                    LOG.errorf("queued identity change %d does not parse: %s", row.id(), e.getMessage());
                }
            }
            publisher.publish(changes).await().indefinitely();
            repository.markChangesPublished(ids, Instant.now()).await().indefinitely();
            published += changes.size();
            if (rows.size() < PAGE) {
                return published;
            }
        }
    }
}
