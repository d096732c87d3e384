package io.memberpulse.campaign.stream.in;

import io.memberpulse.proto.kafka.RecordBatches;
import io.memberpulse.campaign.RecordIdentityChangesService;
import io.memberpulse.campaign.RecordPurchasesService;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * member.events in batches: members' purchases, for campaign reviews. An event still arriving under a member a
 * merge absorbed (member.merges) is recorded for its final survivor.
 */
@ApplicationScoped
class MemberEventConsumer {
    static final String CHANNEL = "member-events";
    private static final Logger LOG = Logger.getLogger(MemberEventConsumer.class);

    private final RecordPurchasesService service;
    private final RecordIdentityChangesService identities;

    MemberEventConsumer(RecordPurchasesService service, RecordIdentityChangesService identities) {
        this.service = service;
        this.identities = identities;
    }

    @Incoming(CHANNEL)
    Uni<Void> consume(KafkaRecordBatch<String, MemberEvent> batch) {
        return RecordBatches.consume(batch, events -> underSurvivors(events).chain(service::record), LOG, "member event");
    }

    private Uni<List<MemberEvent>> underSurvivors(List<MemberEvent> events) {
        List<String> members = events.stream().map(MemberEvent::getMemberId).filter(id -> !id.isEmpty()).toList();
        return identities.survivorsOf(members).map(survivors -> survivors.isEmpty() ? events : events.stream()
                .map(event -> survivors.containsKey(event.getMemberId())
                        ? event.toBuilder().setMemberId(survivors.get(event.getMemberId())).build()
                        : event)
                .toList());
    }
}
