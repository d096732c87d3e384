package io.memberpulse.churn.stream.in;

import io.memberpulse.proto.kafka.RecordBatches;
import io.memberpulse.churn.ScoreMembersService;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * member.events, a batch at a time, in order. A record that is not a MemberEvent goes to
 * member.events.dlq alone; recording is idempotent on source + event_id (see RecordBatches).
 */
@ApplicationScoped
class MemberEventConsumer {
    static final String CHANNEL = "member-events";
    private static final Logger LOG = Logger.getLogger(MemberEventConsumer.class);

    private final ScoreMembersService service;

    MemberEventConsumer(ScoreMembersService service) {
        this.service = service;
    }

    @Incoming(CHANNEL)
    Uni<Void> consume(KafkaRecordBatch<String, MemberEvent> batch) {
        return RecordBatches.consume(batch, RecordBatches.onWorkerThread(service::record), LOG, "member event");
    }
}
