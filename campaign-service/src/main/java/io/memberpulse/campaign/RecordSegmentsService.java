package io.memberpulse.campaign;

import io.memberpulse.campaign.store.MemberSegmentRepository;
import io.memberpulse.proto.segments.v1.SegmentChanged;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;

/** Keeps each member's current segments from member.segments, to learn which segments respond. */
@ApplicationScoped
public class RecordSegmentsService {
    private final MemberSegmentRepository segments;

    public RecordSegmentsService(MemberSegmentRepository segments) {
        this.segments = segments;
    }

    public Uni<Void> record(List<SegmentChanged> changes) {
        return segments.apply(changes.stream()
                .filter(c -> !c.getMemberId().isEmpty() && !c.getSegmentId().isEmpty())
                .map(c -> new MemberSegmentRepository.Change(c.getMemberId(), c.getSegmentId(),
                        c.getChange() == SegmentChanged.Change.CHANGE_ENTERED,
                        Instant.ofEpochSecond(c.getAt().getSeconds(), c.getAt().getNanos())))
                .toList());
    }
}
