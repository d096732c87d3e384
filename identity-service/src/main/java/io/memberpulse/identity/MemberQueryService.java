package io.memberpulse.identity;

import io.memberpulse.identity.domain.Identifier;
import io.memberpulse.identity.domain.IdentifierNormalizer;
import io.memberpulse.identity.domain.IdentifierType;
import io.memberpulse.identity.domain.InvalidIdentifierException;
import io.memberpulse.identity.domain.MemberNotFoundException;
import io.memberpulse.identity.domain.MemberView;
import io.memberpulse.identity.domain.RawIdentifiers;
import io.memberpulse.identity.domain.RecordedMerge;
import io.memberpulse.identity.store.ChannelEventEntity;
import io.memberpulse.identity.store.GraphRepository;
import io.memberpulse.identity.store.MemberReadRepository;
import io.memberpulse.identity.store.MemberEntity;
import io.memberpulse.identity.store.MemberIdentifierEntity;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Reads: a member with its identifiers, which member some identifiers belong to, totals. */
@ApplicationScoped
public class MemberQueryService {
    private final IdentifierNormalizer normalizer;
    private final MemberReadRepository reads;
    private final GraphRepository graph;

    public MemberQueryService(IdentityConfig config, MemberReadRepository reads, GraphRepository graph) {
        // placeholders (00000000000) read as import reads them: a quarantined value that finds nobody, not a bad phone
        this.normalizer = new IdentifierNormalizer(config.identity().defaultRegion(),
                IdentityConfig.guardrails(config)::isBlocked);
        this.reads = reads;
        this.graph = graph;
    }

    /** A match: the member and the identifier type that decided. */
    public record Resolution(String memberId, IdentifierType matchedBy) {
    }

    /**
     * The member an id stands for now: a merged member answers with its survivor, with every identifier
     * it holds or held (its absorbed members' included) and all their events counted.
     */
    public Uni<MemberView> member(String requested) {
        return graph.currentMember(requested)
                .onItem().ifNull().failWith(() -> new MemberNotFoundException(requested))
                .flatMap(current -> Panache.withSession(() -> memberAsStored(current)));
    }

    /** Why a member is what it is: every merge into it or into a member it absorbed, newest first. */
    public Uni<List<RecordedMerge>> evidence(String requested) {
        return graph.currentMember(requested)
                .onItem().ifNull().failWith(() -> new MemberNotFoundException(requested))
                .flatMap(graph::mergesOf);
    }

    private Uni<MemberView> memberAsStored(String memberId) {
        return MemberEntity.<MemberEntity>findById(memberId)
                .onItem().ifNull().failWith(() -> new MemberNotFoundException(memberId))
                .flatMap(member -> reads.identifiers(memberId)
                        .flatMap(held -> reads.pastIdentifiers(memberId)
                                .flatMap(past -> reads.eventCount(memberId)
                                        .map(count -> new MemberView(member.id, member.createdAt.toInstant(),
                                                member.mergedInto, count, held.linking(), past, held.quarantined())))));
    }

    /**
     * The member the strongest of these identifiers belongs to; empty when none is known or all are quarantined.
     * Weak identifiers alone (a device, a masked or mistyped phone) are refused naming the first: members may well
     * hold them, but they are matching evidence, never a member's key, so "no member holds these" would be untrue.
     */
    public Uni<Optional<Resolution>> resolve(RawIdentifiers raw) {
        List<Identifier> given = normalizer.normalize(raw);
        List<Identifier> strong = given.stream()
                .filter(identifier -> identifier.type().isStrong())
                .sorted(Comparator.comparing(Identifier::type))
                .toList();
        if (strong.isEmpty() && !given.isEmpty()) {
            throw weakOnly(given.get(0).type());
        }
        return resolveFirst(strong, 0);
    }

    private static InvalidIdentifierException weakOnly(IdentifierType weak) {
        String field = weak == IdentifierType.DEVICE_ID ? "device_id" : "phone";
        String what = switch (weak) {
            case DEVICE_ID -> "a device (it may be shared)";
            case MASKED_PHONE -> "a masked phone";
            default -> "a phone that is not a valid number";
        };
        return new InvalidIdentifierException(field, what + " is weak evidence and cannot resolve a member on its own: "
                + "give the full phone, union_id, openid, member_no, platform_uid or email");
    }

    private Uni<Optional<Resolution>> resolveFirst(List<Identifier> candidates, int from) {
        if (from >= candidates.size()) {
            return Uni.createFrom().item(Optional.empty());
        }
        Identifier candidate = candidates.get(from);
        return reads.currentHolder(candidate.type().code(), candidate.value())
                .flatMap(current -> current == null
                        ? resolveFirst(candidates, from + 1)
                        : Uni.createFrom().item(Optional.of(new Resolution(current, candidate.type()))));
    }

    public record Totals(long members, long events, long identifiers) {
    }

    @WithSession
    public Uni<Totals> totals() {
        return MemberEntity.count("mergedInto is null")
                .flatMap(members -> ChannelEventEntity.count()
                        .flatMap(events -> MemberIdentifierEntity.count()
                                .map(identifiers -> new Totals(members, events, identifiers))));
    }
}
