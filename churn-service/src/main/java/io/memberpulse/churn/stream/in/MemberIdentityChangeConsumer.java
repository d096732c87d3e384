package io.memberpulse.churn.stream.in;

import io.memberpulse.churn.ScoreMembersService;
import io.memberpulse.proto.identity.v1.MemberIdentityChange;
import io.memberpulse.proto.kafka.RecordBatches;
import io.memberpulse.proto.merges.IdentityChanges;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * member.merges (MemberMerged / MemberSplit / MemberErased), a batch at a time, applied in order. A record that is not a
 * MemberIdentityChange, or names no members, event keys or time, goes to member.merges.dlq alone; applying
 * is idempotent per change (see IdentityChangeRepository).
 */
@ApplicationScoped
class MemberIdentityChangeConsumer {
    static final String CHANNEL = "member-merges";
    private static final Logger LOG = Logger.getLogger(MemberIdentityChangeConsumer.class);

    private final ScoreMembersService service;

    MemberIdentityChangeConsumer(ScoreMembersService service) {
        this.service = service;
    }

    @Incoming(CHANNEL)
    Uni<Void> consume(KafkaRecordBatch<String, MemberIdentityChange> batch) {
        return RecordBatches.consume(batch, IdentityChanges::problemOf, RecordBatches.onWorkerThread(
                changes -> service.rekey(changes.stream().map(IdentityChanges::toDomain).toList())),
                LOG, "identity change");
    }
}
