package io.memberpulse.campaign;

import io.memberpulse.campaign.store.CallListCache;
import io.memberpulse.campaign.store.KnownStoreRepository;
import io.memberpulse.campaign.store.MemberSegmentRepository;
import io.memberpulse.proto.segments.v1.SegmentChanged;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * Keeps each member's current segments from member.segments (campaign targets, the next-target
 * recommendation) and applies the segment-entry SOP rules to the changes.
 */
@ApplicationScoped
public class RecordSegmentsService {
    private final MemberSegmentRepository segments;
    private final SegmentTaskPlanner planner;
    private final KnownStoreRepository stores;
    private final CallListCache cache;
    private final Clock clock;

    RecordSegmentsService(MemberSegmentRepository segments, SegmentTaskPlanner planner, KnownStoreRepository stores,
            CallListCache cache, Clock clock) {
        this.segments = segments;
        this.planner = planner;
        this.stores = stores;
        this.cache = cache;
        this.clock = clock;
    }

    public Uni<Void> record(List<SegmentChanged> changes) {
        List<MemberSegmentRepository.Change> valid = changes.stream()
                .filter(c -> !c.getMemberId().isEmpty() && !c.getSegmentId().isEmpty())
                .filter(c -> c.getChange() == SegmentChanged.Change.CHANGE_ENTERED || c.getChange() == SegmentChanged.Change.CHANGE_LEFT)
                .map(c -> new MemberSegmentRepository.Change(c.getMemberId(), c.getSegmentId(),
                        c.getChange() == SegmentChanged.Change.CHANGE_ENTERED,
                        Instant.ofEpochSecond(c.getAt().getSeconds(), c.getAt().getNanos()),
                        c.getHomeStoreId().isEmpty() ? null : c.getHomeStoreId()))
                .toList();
        List<MemberSegmentRepository.Change> triggering = valid.stream().filter(c -> planner.triggers(c.segmentId())).toList();
        return segments.apply(valid).chain(() -> rememberStores(valid))
                .chain(() -> triggering.isEmpty() ? Uni.createFrom().voidItem() : openTasks(triggering));
    }

    /** A reported home store is a known store: a segment rule may open its first call there (its call list, not a 404). */
    private Uni<Void> rememberStores(List<MemberSegmentRepository.Change> changes) {
        List<MemberSegmentRepository.Change> reporting = changes.stream().filter(c -> c.homeStoreId() != null).toList();
        return stores.remember(reporting.stream().map(MemberSegmentRepository.Change::homeStoreId).distinct().toList(),
                reporting.stream().map(MemberSegmentRepository.Change::at).min(Instant::compareTo).orElse(null));
    }

    private Uni<Void> openTasks(List<MemberSegmentRepository.Change> changes) {
        Instant now = clock.instant();
        return Panache.withTransaction(() -> planner.apply(changes, now)).chain(cache::invalidate);
    }
}
