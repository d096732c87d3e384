package io.memberpulse.rfm.stream.in;

import io.memberpulse.proto.identity.v1.MemberIdentityChange;
import io.memberpulse.proto.kafka.RecordBatches;
import io.memberpulse.proto.merges.IdentityChange;
import io.memberpulse.proto.merges.IdentityChanges;
import io.memberpulse.rfm.RekeyMembersService;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * member.merges (MemberMerged / MemberSplit), one change at a time and in order: identity changes
 * are rare, and a later change may depend on an earlier one. Unreadable or unusable changes go to
 * member.merges.dlq; storage failures are retried (applying is idempotent) before dead-lettering.
 */
@ApplicationScoped
class MemberIdentityChangeConsumer {
    static final String CHANNEL = "member-merges";
    private static final Logger LOG = Logger.getLogger(MemberIdentityChangeConsumer.class);

    private final RekeyMembersService service;

    MemberIdentityChangeConsumer(RekeyMembersService service) {
        this.service = service;
    }

    @Incoming(CHANNEL)
    Uni<Void> consume(Message<MemberIdentityChange> message) {
        String problem = message.getPayload() == null ? "not a readable MemberIdentityChange record"
                : IdentityChanges.problemOf(message.getPayload());
        if (problem != null) {
            LOG.warnf("identity change dead-lettered: %s", problem);
            return Uni.createFrom().completionStage(message.nack(new IllegalArgumentException(problem)));
        }
        IdentityChange change = IdentityChanges.toDomain(message.getPayload());
        return Uni.createFrom().item(() -> {
                    service.apply(change);
                    return change;
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .plug(RecordBatches::retried)
                .onItemOrFailure().transformToUni((ignored, failure) -> {
                    if (failure != null) {
                        LOG.errorf(failure, "identity change %s not applied after retrying for %s, dead-lettered", change.key(),
                                RecordBatches.RETRY_FOR);
                        return Uni.createFrom().completionStage(message.nack(failure));
                    }
                    return Uni.createFrom().completionStage(message.ack());
                });
    }
}
