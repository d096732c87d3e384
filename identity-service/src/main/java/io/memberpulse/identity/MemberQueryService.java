package io.memberpulse.identity;

import io.memberpulse.identity.domain.Identifier;
import io.memberpulse.identity.domain.IdentifierMask;
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
import io.memberpulse.identity.store.MemberRevealRepository;
import io.memberpulse.identity.store.MemberRevealRepository.Shown;
import io.memberpulse.proto.auth.Roles;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.EnumMap;
import java.util.Map;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Reads: a member with its identifiers, why it is what it is, which member some identifiers belong to, totals. A
 * member's identifier values come masked (IdentifierMask); in full only to a steward who asks, each such reveal
 * recorded before the values are given (member_reveal).
 */
@ApplicationScoped
public class MemberQueryService {
    private final IdentifierNormalizer normalizer;
    private final MemberReadRepository reads;
    private final GraphRepository graph;
    private final MemberRevealRepository reveals;
    /** Reveals by view: an alert can tell a steward reading the directory from one reading a member on request. */
    private final Map<Shown, Counter> revealed = new EnumMap<>(Shown.class);

    public MemberQueryService(IdentityConfig config, MemberReadRepository reads, GraphRepository graph,
            MemberRevealRepository reveals, MeterRegistry registry) {
        for (Shown shown : Shown.values()) {
            revealed.put(shown, Counter.builder("memberpulse.identity.reveals")
                    .description("identifier values shown in full to a steward (each also recorded in member_reveal)")
                    .tag("shown", shown.name().toLowerCase(java.util.Locale.ROOT)).register(registry));
        }
        // placeholders (00000000000) read as import reads them: a quarantined value that finds nobody, not a bad phone
        this.normalizer = new IdentifierNormalizer(config.identity().defaultRegion(),
                IdentityConfig.guardrails(config)::isBlocked);
        this.reads = reads;
        this.graph = graph;
        this.reveals = reveals;
    }

    /** A match: the member and the identifier type that decided. */
    public record Resolution(String memberId, IdentifierType matchedBy) {
    }

    /** Why a member is what it is: the member an id stands for now, every merge into it or a member it absorbed. */
    public record Evidence(String memberId, List<RecordedMerge> merges) {
    }

    /**
     * The member an id stands for now, identifier values masked: a merged member answers with its survivor, with every
     * identifier it holds or held (its absorbed members' included) and all their events counted.
     */
    public Uni<MemberView> member(String requested) {
        return memberInFull(requested).map(IdentifierMask::masked);
    }

    /** As {@link #member}, values in full: for a steward only (ForbiddenException), once the reveal is recorded. */
    public Uni<MemberView> revealMember(String requested, SecurityIdentity caller) {
        return revealer(caller).flatMap(subject -> memberInFull(requested)
                .call(view -> reveals.record(view.memberId(), subject, Shown.MEMBER))
                .invoke(view -> revealed.get(Shown.MEMBER).increment()));
    }

    /** Every merge into the member, newest first, identifier values masked. */
    public Uni<Evidence> evidence(String requested) {
        return evidenceInFull(requested).map(found -> new Evidence(found.memberId(),
                found.merges().stream().map(IdentifierMask::masked).toList()));
    }

    /** As {@link #evidence}, values in full: for a steward only (ForbiddenException), once the reveal is recorded. */
    public Uni<Evidence> revealEvidence(String requested, SecurityIdentity caller) {
        return revealer(caller).flatMap(subject -> evidenceInFull(requested)
                .call(found -> reveals.record(found.memberId(), subject, Shown.EVIDENCE))
                .invoke(found -> revealed.get(Shown.EVIDENCE).increment()));
    }

    private Uni<MemberView> memberInFull(String requested) {
        return graph.currentMember(requested)
                .onItem().ifNull().failWith(() -> new MemberNotFoundException(requested))
                .flatMap(current -> Panache.withSession(() -> memberAsStored(current)));
    }

    private Uni<Evidence> evidenceInFull(String requested) {
        return graph.currentMember(requested)
                .onItem().ifNull().failWith(() -> new MemberNotFoundException(requested))
                .flatMap(current -> graph.mergesOf(current).map(merges -> new Evidence(current, merges)));
    }

    /** Whom a reveal is recorded for (the token's subject), if the caller is a steward. */
    private static Uni<String> revealer(SecurityIdentity caller) {
        if (!caller.hasRole(Roles.STEWARD)) {
            return Uni.createFrom().failure(new ForbiddenException("identifiers in full are for the steward role"));
        }
        return Uni.createFrom().item(caller.getPrincipal() instanceof JsonWebToken jwt && jwt.getSubject() != null
                ? jwt.getSubject() : caller.getPrincipal().getName());
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
        return MemberEntity.count("mergedInto is null and erasedAt is null")
                .flatMap(members -> ChannelEventEntity.count()
                        .flatMap(events -> MemberIdentifierEntity.count()
                                .map(identifiers -> new Totals(members, events, identifiers))));
    }
}
