package io.memberpulse.churn.stream.in;

import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.churn.ScoreMembersService;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** member.events, a batch at a time; idempotent on source + event_id, so re-delivery is harmless. */
@ApplicationScoped
class MemberEventConsumer {
    static final String CHANNEL = "member-events";

    private final ScoreMembersService service;

    MemberEventConsumer(ScoreMembersService service) {
        this.service = service;
    }

    @Incoming(CHANNEL)
    @Blocking // ordered: one batch after another, so per-member order holds
    void consume(List<MemberEvent> events) {
        service.record(events);
    }
}
