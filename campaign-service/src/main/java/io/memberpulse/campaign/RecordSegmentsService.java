package io.memberpulse.campaign;

import io.memberpulse.campaign.store.CallListCache;
import io.memberpulse.campaign.store.IdentityChangeRepository;
import io.memberpulse.campaign.store.KnownStoreRepository;
import io.memberpulse.campaign.store.MemberSegmentRepository;
import io.memberpulse.proto.kafka.Topics;
import io.memberpulse.proto.segments.v1.SegmentChanged;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps each member's current segments from member.segments (campaign targets, the next-target
 * recommendation) and applies the segment-entry SOP rules to the changes.
 *
 * <p>A change under a member a merge absorbed (member.merges) is skipped: rfm-service re-keys the absorbed member's
 * facts itself and publishes the survivor's own entries, and the absorbed member's exits (its segments emptying)
 * must not take the survivor out of them. Whether a member was absorbed is decided in the transaction that writes
 * what the change does, under the identity-change lock (shared; IdentityChangeRepository): the memberships in one
 * transaction, the calls in the next ({@link SegmentTaskPlanner}), so a merge another replica applies in between
 * deletes the absorbed member's memberships and is seen before any call is opened for them. A change under an erased
 * member (erased_member) is dropped and counted (ErasedFacts), decided the same way in both transactions.
 */
@ApplicationScoped
public class RecordSegmentsService {
    private final MemberSegmentRepository segments;
    private final SegmentTaskPlanner planner;
    private final KnownStoreRepository stores;
    private final CallListCache cache;
    private final IdentityChangeRepository identities;
    private final ErasedFacts erasedFacts;
    private final Clock clock;

    RecordSegmentsService(MemberSegmentRepository segments, SegmentTaskPlanner planner, KnownStoreRepository stores,
            CallListCache cache, IdentityChangeRepository identities, ErasedFacts erasedFacts, Clock clock) {
        this.segments = segments;
        this.erasedFacts = erasedFacts;
        this.identities = identities;
        this.planner = planner;
        this.stores = stores;
        this.cache = cache;
        this.clock = clock;
    }

    public Uni<Void> record(List<SegmentChanged> changes) {
        List<MemberSegmentRepository.Change> valid = latestPerMembership(changes.stream()
                .filter(c -> problemOf(c) == null)
                .map(c -> new MemberSegmentRepository.Change(c.getMemberId(), c.getSegmentId(),
                        c.getChange() == SegmentChanged.Change.CHANGE_ENTERED,
                        Instant.ofEpochSecond(c.getAt().getSeconds(), c.getAt().getNanos()),
                        c.getHomeStoreId().isEmpty() ? null : c.getHomeStoreId()))
                .toList());
        if (valid.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<String> members = valid.stream().map(MemberSegmentRepository.Change::memberId).distinct().toList();
        return identities.inRecordingTransaction(connection -> identities.survivorsOf(connection, members)
                        .map(absorbed -> valid.stream().filter(change -> !absorbed.containsKey(change.memberId())).toList())
                        .chain(notAbsorbed -> identities.erasedAmong(connection, members).map(erased -> {
                            List<MemberSegmentRepository.Change> kept = notAbsorbed.stream()
                                    .filter(change -> !erased.contains(change.memberId())).toList();
                            erasedFacts.dropped(Topics.MEMBER_SEGMENTS, notAbsorbed.size() - kept.size());
                            return kept;
                        }))
                        .call(kept -> segments.apply(connection, kept)))
                .call(this::rememberStores)
                .chain(kept -> withoutIgnoredExits(kept.stream().filter(c -> planner.triggers(c.segmentId())).toList()))
                .chain(triggering -> triggering.isEmpty() ? Uni.createFrom().voidItem() : openTasks(triggering));
    }

    /**
     * The changes without the exits the table ignored (older than the entry it holds, out of order on the way): the
     * member is still in the segment, so the segment's call stays.
     */
    private Uni<List<MemberSegmentRepository.Change>> withoutIgnoredExits(List<MemberSegmentRepository.Change> changes) {
        List<MemberSegmentRepository.Change> exits = changes.stream().filter(change -> !change.entered()).toList();
        if (exits.isEmpty()) {
            return Uni.createFrom().item(changes);
        }
        return segments.memberships(exits.stream().map(MemberSegmentRepository.Change::memberId).distinct().toList(),
                        exits.stream().map(MemberSegmentRepository.Change::segmentId).distinct().toList())
                .map(stillIn -> changes.stream().filter(change -> change.entered()
                        || !stillIn.contains(MemberSegmentRepository.key(change.memberId(), change.segmentId()))).toList());
    }

    /**
     * Why a change cannot be applied, naming the field, or null (member.segments dead-letters such a record). Without
     * its time an exit would delete nothing while the planner still closed the call, and an entry would date the
     * membership to 1970.
     */
    public static String problemOf(SegmentChanged change) {
        if (change.getMemberId().isBlank()) {
            return "member_id: is required";
        }
        if (change.getSegmentId().isBlank()) {
            return "segment_id: is required";
        }
        if (change.getChange() != SegmentChanged.Change.CHANGE_ENTERED && change.getChange() != SegmentChanged.Change.CHANGE_LEFT) {
            return "change: must be CHANGE_ENTERED or CHANGE_LEFT";
        }
        if (!change.hasAt()) {
            return "at: is required to order changes";
        }
        return null;
    }

    /**
     * A member's latest change per segment in the batch (by time; a tie: the later record). Applied together, a batch's
     * entries go in before its exits, so a member who left and came back within one batch (a consumer behind, a
     * replay) would end outside the segment, and the planner would close and reopen the member's call for nothing.
     */
    static List<MemberSegmentRepository.Change> latestPerMembership(List<MemberSegmentRepository.Change> changes) {
        Map<String, MemberSegmentRepository.Change> latest = new LinkedHashMap<>();
        for (MemberSegmentRepository.Change change : changes) {
            latest.merge(change.memberId() + '\u0000' + change.segmentId(), change,
                    (before, after) -> after.at().isBefore(before.at()) ? before : after);
        }
        return List.copyOf(latest.values());
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
