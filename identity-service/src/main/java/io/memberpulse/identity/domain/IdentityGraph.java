package io.memberpulse.identity.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The identity graph in memory, linked one event at a time (incremental: nothing is re-clustered).
 * <ol>
 * <li>Deterministic: the event's strong identifiers (not quarantined, not re-issued) point at members;
 * when they point at several, those members are merged, unless the merge breaks a guardrail (a
 * per-type limit such as two UnionIDs, counted over the values held at the event's time, or a recorded split).</li>
 * <li>Probabilistic: candidates found through blocking keys ({@link BlockingIndex}: masked phone, device,
 * home address, coupon, a phone one edit away) are scored against the event ({@link ProfileComparator}); the best one at or
 * above the threshold is merged with the event's member.</li>
 * </ol>
 * Members are never removed: an absorbed member points at its survivor ({@link #root}).
 */
public final class IdentityGraph {
    /** Comparison vectors kept for estimating the weights (a uniform sample of each kind). */
    private static final int PAIR_SAMPLE = 200_000;
    private static final Comparator<Identifier> BY_TYPE = Comparator.comparing(Identifier::type);
    /** Fewer pairs than this say too little: the seed weights stand. */
    private static final int MIN_PAIRS_TO_ESTIMATE = 2_000;

    private final StitchGuardrails guardrails;
    private final MatchWeights weights;
    private final WeightEstimation estimation;
    private final ProfileComparator comparator;
    private final List<String> memberIds = new ArrayList<>();
    private final PairSample candidatePairs = new PairSample(PAIR_SAMPLE, 1);
    private final PairSample randomPairs = new PairSample(PAIR_SAMPLE, 2);
    private FellegiSunterEstimator.Estimate estimate;
    private final Map<String, String> parent = new HashMap<>();
    private final Map<String, MemberProfile> profiles = new HashMap<>();
    private final Map<Identifier, String> owners = new HashMap<>();
    private final Map<Identifier, Instant> lastSeen = new HashMap<>();
    /**
     * When each phone's holder first used it (a moved phone: its new holder), so that an event from long before, imported
     * late, is told from the holder's own ({@link #heldBefore}). Phones only: only a phone is re-issued.
     */
    private final Map<Identifier, Instant> firstSeen = new HashMap<>();
    private final Set<Identifier> quarantined = new HashSet<>();
    /**
     * The stores each value not quarantined was seen at and when last (placeholder detection across batches), bounded:
     * the most recently seen, one past the limit ({@link StoresSeen}); restored from the stored rows
     * ({@link #restoreStore}).
     */
    private final Map<Identifier, StoresSeen> stores = new HashMap<>();
    /**
     * The other strong identifiers each value not quarantined was seen with and when last (placeholder detection across
     * batches), bounded: the most recently seen, one past the limit in all and of each type one past its per-member
     * limit ({@link Companions}); restored from the stored events ({@link #restoreEvent}).
     */
    private final Map<Identifier, Companions> companions = new HashMap<>();
    private final Map<String, Set<String>> cannotLink = new HashMap<>();
    /** Members erased (restoreErased). */
    private final Set<String> erased = new HashSet<>();
    private final BlockingIndex blocking = new BlockingIndex(this::root);
    private final Map<String, String> orderBuyers = new HashMap<>();
    private final Map<String, Integer> storeMembers = new HashMap<>();
    private final Map<String, Integer> surnameMembers = new HashMap<>();
    private final StoreCities storeCities = new StoreCities(5, 0.8);
    private final PersonalDevices personalDevices;

    /** Probabilistic links with these weights as they are (none estimated from the data). */
    public IdentityGraph(StitchGuardrails guardrails, MatchWeights weights) {
        this(guardrails, weights, WeightEstimation.OFF);
    }

    /**
     * @param weights    the seed weights: used until enough pairs are seen, and for good where
     *                   {@code estimation} fixes them
     * @param estimation which weights are re-estimated from the data after each batch
     */
    public IdentityGraph(StitchGuardrails guardrails, MatchWeights weights, WeightEstimation estimation) {
        this.guardrails = Objects.requireNonNull(guardrails, "guardrails");
        this.weights = Objects.requireNonNull(weights, "weights");
        this.estimation = Objects.requireNonNull(estimation, "estimation");
        this.comparator = new ProfileComparator(weights);
        this.personalDevices = new PersonalDevices(weights.enabled() ? weights.personalDeviceDays() : 0);
    }

    /** The weights linking uses now: the seed, or the estimate from the pairs seen. */
    public MatchWeights currentWeights() {
        return comparator.weights();
    }

    /** The last estimate of m, u and the share of matches among candidate pairs, if one was made. */
    public Optional<FellegiSunterEstimator.Estimate> lastEstimate() {
        return Optional.ofNullable(estimate);
    }

    /**
     * Re-estimates the weights from the comparison vectors seen so far: u from random (event, member)
     * pairs, m by EM over the candidate pairs blocking found, starting from the seed weights.
     */
    public void reestimateWeights() {
        if (!weights.enabled() || candidatePairs.size() < MIN_PAIRS_TO_ESTIMATE
                || randomPairs.size() < MIN_PAIRS_TO_ESTIMATE) {
            return;
        }
        double[][] u = FellegiSunterEstimator.estimateU(randomPairs.counts(), ProfileComparator.LEVELS);
        double[][] start = WeightEstimation.startingM(weights, u);
        estimate = FellegiSunterEstimator.estimateByBlockingRule(candidatePairs.counts(), u, start, 0.3, 200, 1e-6);
        comparator.reweigh(estimation.apply(weights, estimate));
    }

    /** Which member an event went to, and by which identifier (empty when it started a member or linked by score). */
    public record Assignment(int index, String memberId, Optional<IdentifierType> matchedBy) {
    }

    /**
     * What one batch changed.
     *
     * @param newLinks    identifiers now pointing at a member (new, or re-issued ones that moved), by their final member
     * @param seen        first and last use of each identifier used by its own member in this batch
     * @param absorbed    each member merged away in this batch (or before, now absorbed again) and its final survivor
     * @param storesSeen  the stores at which strong values not quarantined before were seen in this batch for the
     *                    first time or later than the graph knew, each with its last time in the batch (null: the
     *                    event's time unknown, which an import never has): what the stored rows must take, the latest
     *                    time kept (the graph knew every other pair: restored from the store, or from a batch before)
     * @param pastHeld    holding periods that ended, by phone: each member (final) that held it before its holder now,
     *                    with its first and last use as the graph knows them. A phone that moved in the batch: its old
     *                    holder's (their uses in this batch too, which {@code seen} leaves out). Events from before the
     *                    holder's time, imported late ({@link #heldBefore}): the member each went to, as a move in time
     *                    order would have recorded it. Oldest first; one member's windows of a phone are one only
     *                    where nobody else's in the batch lies between them (a phone back with its holder of before
     *                    is a second period)
     */
    public record BatchOutcome(List<Assignment> assignments, Set<String> newMembers, Map<Identifier, String> newLinks,
            Map<Identifier, Instant[]> seen, Set<Identifier> quarantined, List<MergeRecord> merges, int conflicts,
            Map<Identifier, Map<String, Instant>> storesSeen, List<PastHolding> pastHeld) {
    }

    /** A member's use of a phone that somebody else holds now, from its first to its last time. */
    public record PastHolding(Identifier phone, String memberId, Instant first, Instant last) {
    }

    // ---- restoring what the store knows ----

    public void restoreMember(String memberId, String mergedInto) {
        if (!parent.containsKey(memberId)) {
            memberIds.add(memberId);
        }
        parent.put(memberId, mergedInto == null ? memberId : mergedInto);
        parent.putIfAbsent(mergedInto == null ? memberId : mergedInto, mergedInto == null ? memberId : mergedInto);
    }

    public void restoreLink(Identifier identifier, String memberId, Instant last) {
        restoreLink(identifier, memberId, null, last);
    }

    /** @param first when the member first used the value (null: unknown) */
    public void restoreLink(Identifier identifier, String memberId, Instant first, Instant last) {
        ensureMember(memberId);
        if (first != null && identifier.type() == IdentifierType.PHONE) {
            firstSeen.put(identifier, first);
        }
        owners.put(identifier, memberId);
        profile(root(memberId)).holdings(identifier.type()).add(identifier.value());
        if (last != null) {
            lastSeen.put(identifier, last);
        }
    }

    public void restoreQuarantine(Identifier identifier) {
        quarantined.add(identifier);
        companions.remove(identifier);
    }

    /**
     * Restores that a value was last seen at a store at {@code lastSeen} (null: unknown, always counts). Restore the
     * quarantined values first: nothing more is counted for them.
     */
    public void restoreStore(Identifier identifier, String storeId, Instant lastSeen) {
        if (!quarantined.contains(identifier)) {
            stores.computeIfAbsent(identifier, i -> new StoresSeen())
                    .see(storeId, lastSeen, guardrails.maxStoresPerValue() + 1);
        }
    }

    /**
     * Restores that a member was erased at the person's request (V22), and with it every member merged into it: it
     * takes nothing new, neither a later event of one of its orders nor a till's anonymous copy of one of its order
     * lines, and merges with nobody (its events stay, without identifiers, so that their keys stay known).
     */
    public void restoreErased(String memberId) {
        erased.add(memberId);
    }

    /**
     * Erases members in the live graph, as a rebuild from the database after their erasure would find them (V22,
     * ErasureRepository.erase): the values they hold find nobody any more and their stores and companions are
     * forgotten (a value another member holds stays theirs, as its rows do), their profiles keep only what their
     * scrubbed events still show (events, stores, coupons, orders), their blocking keys and device uses go, and they
     * are marked erased ({@link #restoreErased}): they take nothing new. Every other member is left as it was, which a
     * rebuild also leaves it, with two exceptions this cannot tell apart and so leaves to a rebuild (nothing is
     * changed, false is returned): a value of theirs that is quarantined (its quarantine goes with it, and a rebuild
     * counts its companions afresh from the other members' events), or one seen in one event with a value not theirs,
     * or a device of theirs that somebody else used with strong identifiers too (which of the events showing them
     * together the erasure scrubs, the graph does not know). Not mirrored either way: the weights' samples and the
     * stores' cities (counts naming nobody).
     *
     * @param memberIds the member and every member merged into it, as the erasure lists them
     * @return whether it was done here; false: the graph is as before and must be rebuilt from the database
     */
    public boolean erase(Collection<String> memberIds) {
        return erase(memberIds, why -> { });
    }

    /** {@link #erase(Collection)}, telling {@code declined} why when it is left to a rebuild. */
    public boolean erase(Collection<String> memberIds, java.util.function.Consumer<String> declined) {
        Set<String> cluster = new HashSet<>();
        Set<String> roots = new HashSet<>();
        for (String member : memberIds) {
            if (parent.containsKey(member)) {
                cluster.add(member);
                roots.add(root(member));
            }
        }
        cluster.addAll(roots);
        Set<Identifier> theirs = new HashSet<>();
        for (String member : roots) {
            MemberProfile profile = profiles.get(member);
            if (profile == null) {
                continue;
            }
            profile.held.forEach((type, values) -> values.forEach(value -> {
                Identifier identifier = new Identifier(type, value);
                String owner = owners.get(identifier);
                if (owner != null && roots.contains(root(owner))) {
                    theirs.add(identifier);
                }
            }));
        }
        String why = notErasableInPlace(theirs, roots);
        if (why != null) {
            declined.accept(why);
            return false;
        }
        for (Identifier identifier : theirs) {
            owners.remove(identifier);
            lastSeen.remove(identifier);
            firstSeen.remove(identifier);
            stores.remove(identifier);
            companions.remove(identifier);
        }
        for (String member : roots) {
            MemberProfile profile = profiles.get(member);
            if (profile != null) {
                forgetIdentifying(profile, cluster);
            }
        }
        erased.addAll(cluster);
        return true;
    }

    /**
     * No value of theirs quarantined or seen with one not theirs (but for placeholders), no device of theirs another
     * member used too.
     */
    private String notErasableInPlace(Set<Identifier> theirs, Set<String> roots) {
        for (Identifier identifier : theirs) {
            if (quarantined.contains(identifier)) {
                return "a value of theirs is quarantined (" + identifier.type().code() + ")";
            }
        }
        if (!theirs.isEmpty()) {
            for (Map.Entry<Identifier, Companions> entry : companions.entrySet()) {
                // a placeholder seen with theirs names nobody and has no companions of its own to change
                boolean seenWithOthers = theirs.contains(entry.getKey())
                        ? entry.getValue().any(companion -> !theirs.contains(companion) && !namesNobody(companion))
                        : entry.getValue().any(theirs::contains);
                if (seenWithOthers) {
                    return "a value of theirs was seen with another's (" + entry.getKey().type().code() + ")";
                }
            }
        }
        for (String member : roots) {
            MemberProfile profile = profiles.get(member);
            if (profile != null && !personalDevices.forgettable(profile.devices, m -> roots.contains(root(m)))) {
                return "another member used a device of theirs";
            }
        }
        return null;
    }

    /** What a member's scrubbed events no longer show: identifiers, names, addresses, cities, devices. */
    private void forgetIdentifying(MemberProfile profile, Set<String> cluster) {
        blocking.remove(cluster, profile);
        personalDevices.forget(profile.devices, cluster);
        for (String surname : profile.surnames) {
            surnameMembers.computeIfPresent(surname, (s, count) -> count > 1 ? count - 1 : null);
        }
        profile.held.clear();
        profile.maskedKeys.clear();
        profile.fullPhones.clear();
        profile.surnames.clear();
        profile.fullNames.clear();
        profile.homes.clear();
        profile.offices.clear();
        profile.cities.clear();
        profile.devices.clear();
    }

    private boolean isErased(String memberId) {
        return !erased.isEmpty() && erased.contains(root(memberId));
    }

    /** Records that two members must never be merged again (a split). */
    public void forbidMerge(String a, String b) {
        cannotLink.computeIfAbsent(a, k -> new HashSet<>()).add(b);
        cannotLink.computeIfAbsent(b, k -> new HashSet<>()).add(a);
    }

    /**
     * Adds the profile evidence of an event already stored under this member (no linking), and the identifiers it
     * shows together to what placeholder detection counts. Restore the quarantined values first.
     */
    public void restoreEvent(String memberId, EventEvidence event) {
        ensureMember(memberId);
        remember(root(memberId), event);
        PlaceholderDetector.observe(event, guardrails, companions, quarantined);
    }

    // ---- reading ----

    /** The member a member id stands for now: itself, or the member it was (transitively) merged into. */
    public String root(String memberId) {
        String current = memberId;
        String next = parent.get(current);
        while (next != null && !next.equals(current)) {
            String after = parent.get(next);
            if (after != null && !after.equals(next)) {
                parent.put(current, after); // path halving
            }
            current = next;
            next = parent.get(current);
        }
        return current;
    }

    public Optional<String> ownerOf(Identifier identifier) {
        String owner = owners.get(identifier);
        return owner == null ? Optional.empty() : Optional.of(root(owner));
    }

    public boolean isQuarantined(Identifier identifier) {
        return quarantined.contains(identifier);
    }

    /** A value quarantined or on the configured list: a placeholder, which tells nobody apart from anybody. */
    public boolean namesNobody(Identifier identifier) {
        return quarantined.contains(identifier) || guardrails.isBlocked(identifier.value());
    }

    public int memberCount() {
        return parent.size();
    }

    /**
     * What the graph knows, one sorted line per fact, members named as they stand now: for comparing two graphs in
     * tests (an erasure in place against a rebuild). Leaves out the weights' samples and the stores' cities (counts
     * of comparison outcomes and of cities per store, naming nobody).
     */
    List<String> describe() {
        List<String> lines = new ArrayList<>();
        for (String member : memberIds) {
            lines.add("member " + member + " -> " + root(member) + (isErased(member) ? " erased" : ""));
        }
        owners.forEach((identifier, owner) -> lines.add("owner " + identifier + " " + root(owner)
                + " first " + firstSeen.get(identifier) + " last " + lastSeen.get(identifier)));
        lastSeen.keySet().stream().filter(i -> !owners.containsKey(i)).forEach(i -> lines.add("last seen unowned " + i));
        firstSeen.keySet().stream().filter(i -> !owners.containsKey(i)).forEach(i -> lines.add("first seen unowned " + i));
        quarantined.forEach(identifier -> lines.add("quarantined " + identifier));
        stores.forEach((identifier, seen) -> lines.add("stores " + identifier + " " + seen.describe()));
        companions.forEach((identifier, seen) -> lines.add("companions " + identifier + " " + seen.describe()));
        cannotLink.forEach((member, others) -> lines.add("cannot link " + member + " " + new java.util.TreeSet<>(others)));
        profiles.forEach((member, p) -> {
            if (root(member).equals(member)) {
                java.util.TreeMap<IdentifierType, java.util.TreeSet<String>> held = new java.util.TreeMap<>();
                p.held.forEach((type, values) -> {
                    if (!values.isEmpty()) {
                        held.put(type, new java.util.TreeSet<>(values));
                    }
                });
                lines.add("profile " + member + " events " + p.events + " held " + held
                        + " masked " + new java.util.TreeSet<>(p.maskedKeys) + " phones " + new java.util.TreeSet<>(p.fullPhones)
                        + " surnames " + new java.util.TreeSet<>(p.surnames) + " names " + new java.util.TreeSet<>(p.fullNames)
                        + " homes " + new java.util.TreeSet<>(p.homes) + " offices " + new java.util.TreeSet<>(p.offices)
                        + " stores " + new java.util.TreeSet<>(p.stores) + " cities " + new java.util.TreeSet<>(p.cities)
                        + " devices " + new java.util.TreeSet<>(p.devices) + " coupons " + new java.util.TreeSet<>(p.coupons));
            }
        });
        orderBuyers.forEach((order, buyer) -> lines.add("order " + order + " " + root(buyer)));
        storeMembers.forEach((store, count) -> lines.add("store members " + store + " " + count));
        surnameMembers.forEach((surname, count) -> lines.add("surname members " + surname + " " + count));
        lines.addAll(blocking.describe());
        lines.addAll(personalDevices.describe(this::root));
        Collections.sort(lines);
        return lines;
    }

    // ---- linking ----

    /** Links a batch, in the order given (sort by time first); blocked and placeholder values are quarantined. */
    public BatchOutcome stitch(List<EventEvidence> events, Supplier<String> newMemberId) {
        return stitch(events, newMemberId, Map.of());
    }

    /**
     * @param storedEventMembers the member of stored events that events of this batch name as {@code sameOrderAs}
     */
    public BatchOutcome stitch(List<EventEvidence> events, Supplier<String> newMemberId,
            Map<String, String> storedEventMembers) {
        return stitch(events, newMemberId, storedEventMembers, List.of());
    }

    /**
     * Two stored reports of one order line, paired only now (the later one is retracted): the member each went to.
     *
     * @param eventKey         the retracted report ("source:event_id")
     * @param originalEventKey the report it repeats
     */
    public record RepeatedReport(String eventKey, String member, String originalEventKey, String originalMember,
            Instant occurredAt) {
    }

    /**
     * @param repeated stored reports of one order line paired only now: an anonymous member one of them went to
     *                 joins the other's member, as it would have had the pair been seen when the second arrived
     */
    public BatchOutcome stitch(List<EventEvidence> events, Supplier<String> newMemberId,
            Map<String, String> storedEventMembers, List<RepeatedReport> repeated) {
        Map<Identifier, Map<String, Instant>> storesSeen = new HashMap<>();
        Set<Identifier> newlyQuarantined = PlaceholderDetector.detect(events, guardrails, stores, companions, quarantined,
                storesSeen);
        quarantined.addAll(newlyQuarantined);
        Batch batch = new Batch(newMemberId);
        batch.eventMembers.putAll(storedEventMembers);
        for (EventEvidence event : events) {
            link(event, batch);
        }
        for (RepeatedReport report : repeated) {
            joinRepeatedReport(report, batch);
        }
        if (estimation.enabled()) {
            reestimateWeights();
        }
        List<Assignment> assignments = new ArrayList<>(batch.assignments.size());
        batch.assignments.forEach(a -> assignments.add(new Assignment(a.index(), root(a.memberId()), a.matchedBy())));
        Map<Identifier, String> links = new HashMap<>();
        batch.links.forEach(identifier -> links.put(identifier, root(owners.get(identifier))));
        return new BatchOutcome(assignments, batch.newMembers, links, batch.seen, newlyQuarantined, batch.merges,
                batch.conflicts, storesSeen, PastHoldings.of(batch.pastHeld, batch.endedByMove,
                phone -> ownerOf(phone).orElse(null), this::root));
    }

    private static Instant[] widened(Instant[] a, Instant[] b) {
        return new Instant[] {a[0].isBefore(b[0]) ? a[0] : b[0], a[1].isAfter(b[1]) ? a[1] : b[1]};
    }

    private final class Batch {
        final Supplier<String> newMemberId;
        final List<Assignment> assignments = new ArrayList<>();
        final Set<String> newMembers = new LinkedHashSet<>();
        final Set<Identifier> links = new LinkedHashSet<>();
        final Map<Identifier, Instant[]> seen = new HashMap<>();
        /** Phones held before their holder now, by the member that held them (not final): each use or ended holding. */
        final List<PastHolding> pastHeld = new ArrayList<>();
        /** Those of pastHeld that a move ended (by identity): the old holder's even if the phone came back to them. */
        final Set<PastHolding> endedByMove = Collections.newSetFromMap(new IdentityHashMap<>());
        final Map<String, String> eventMembers = new HashMap<>();
        final List<MergeRecord> merges = new ArrayList<>();
        int conflicts;

        Batch(Supplier<String> newMemberId) {
            this.newMemberId = newMemberId;
        }
    }

    private void link(EventEvidence event, Batch batch) {
        List<Identifier> strong = new ArrayList<>(event.identifiers().size());
        for (Identifier identifier : event.identifiers()) { // a loop, not a stream: this runs for every event
            if (identifier.type().isStrong() && !quarantined.contains(identifier)) {
                strong.add(identifier);
            }
        }
        // a phone of another holder's time (imported after its re-issue) neither finds nor moves to anybody
        Set<Identifier> earlierHolders = heldBefore(event, strong);
        if (!earlierHolders.isEmpty()) {
            strong.removeAll(earlierHolders);
        }
        strong.sort(BY_TYPE);
        Set<Identifier> reissued = reissued(event, strong);
        List<Identifier> shown = reissued.isEmpty() ? strong : strong.stream().filter(i -> !reissued.contains(i)).toList();
        String member = null;
        Identifier decisive = null;
        for (Identifier identifier : strong) {
            String owner = owners.get(identifier);
            if (owner == null || reissued.contains(identifier) || isErased(owner)) {
                continue;
            }
            String other = root(owner);
            if (member == null) {
                member = other;
                decisive = identifier;
            } else if (!member.equals(other)) {
                if (mayMerge(member, other, event.occurredAt(), shown)) {
                    member = merge(member, other, new MergeRecord(null, null, identifier.type().code(), 1.0,
                            List.of(decisive.toString(), identifier.toString()), List.of(), event.eventKey(),
                            event.occurredAt()), batch);
                }
            }
        }
        Optional<IdentifierType> matchedBy = decisive == null ? Optional.empty() : Optional.of(decisive.type());
        String device = onlyDevice(event);
        String buyer = event.orderKey() == null ? null : orderBuyers.get(event.orderKey());
        if (buyer != null && !isErased(buyer)) { // another line, refund, review or coupon of an order seen: one buyer
            buyer = root(buyer);
            if (member == null) {
                member = buyer;
            } else if (!member.equals(buyer) && mayMerge(member, buyer, event.occurredAt(), shown)) {
                member = merge(member, buyer, new MergeRecord(null, null, MergeRecord.SAME_ORDER, 1.0,
                        List.of("order:" + event.orderKey()), List.of(), event.eventKey(), event.occurredAt()), batch);
            }
        }
        boolean anonymous = strong.stream().allMatch(reissued::contains);
        if (member == null && anonymous && event.sameOrderAs() != null && batch.eventMembers.containsKey(event.sameOrderAs())
                && !isErased(batch.eventMembers.get(event.sameOrderAs()))) {
            member = root(batch.eventMembers.get(event.sameOrderAs())); // the till's copy of a delivery order
        }
        if (member == null && anonymous && device != null) { // a visit showing nothing but a device: its owner's
            member = personalDevices.owner(device, this::root);
            matchedBy = member == null ? matchedBy : Optional.of(IdentifierType.DEVICE_ID);
        }
        if (member == null) {
            member = batch.newMemberId.get();
            ensureMember(member);
            batch.newMembers.add(member);
        }
        attachStrong(event, strong, reissued, member, batch);
        if (!anonymous && event.sameOrderAs() != null) {
            member = joinAnonymousCopy(event, member, batch);
        }
        if (weights.enabled()) {
            member = linkByScore(event, member, batch);
        }
        remember(member, event);
        recordSeen(event, strong, member, batch);
        for (Identifier phone : earlierHolders) { // the event's person held it then: theirs in the past, as in time order
            batch.pastHeld.add(new PastHolding(phone, member, event.occurredAt(), event.occurredAt()));
        }
        batch.assignments.add(new Assignment(event.index(), member, matchedBy));
        if (event.sameOrderAs() == null && event.eventKey() != null) {
            batch.eventMembers.put(event.eventKey(), member);
        }
        if (!anonymous) {
            adoptWaiting(event, member, batch);
        }
    }

    /**
     * The other report of this order line went first to a member of its own holding no strong identifier
     * (the till's copy under a placeholder phone, imported before the delivery order it rang up): that member
     * joins this one, as the copy would have joined it had it come second. A member holding any strong
     * identifier is somebody and stays apart, so a placeholder never glues two real members.
     */
    private String joinAnonymousCopy(EventEvidence event, String member, Batch batch) {
        String other = batch.eventMembers.get(event.sameOrderAs());
        if (other == null || holdsStrong(root(other))
                || !mayMerge(member, other, event.occurredAt(), event.identifiers())) {
            return member;
        }
        return merge(member, other, new MergeRecord(null, null, MergeRecord.SAME_ORDER, 1.0,
                List.of("order:" + event.orderKey(), "event:" + event.sameOrderAs()), List.of(), event.eventKey(),
                event.occurredAt()), batch);
    }

    /**
     * Two reports of one order line that went to two members, one of whom holds no strong identifier (the till's
     * copy under a placeholder phone, split so that its first part could not tell which order it copies): that one
     * joins the other, as joinAnonymousCopy or the till copy's own linking would have joined them. Two members who
     * each hold a strong identifier stay apart.
     */
    private void joinRepeatedReport(RepeatedReport report, Batch batch) {
        String original = root(report.originalMember());
        String copy = root(report.member());
        if (original.equals(copy) || (holdsStrong(original) && holdsStrong(copy))
                || !canMerge(original, copy, report.occurredAt())) {
            return;
        }
        merge(original, copy, new MergeRecord(null, null, MergeRecord.SAME_ORDER, 1.0,
                List.of("event:" + report.originalEventKey()), List.of(), report.eventKey(), report.occurredAt()), batch);
    }

    /** The device id of an event that shows nothing else (an anonymous app session), or null. */
    private static String onlyDevice(EventEvidence event) {
        List<Identifier> identifiers = event.identifiers();
        return identifiers.size() == 1 && identifiers.get(0).type() == IdentifierType.DEVICE_ID
                ? identifiers.get(0).value() : null;
    }

    /**
     * Anonymous members that waited on the event's devices join the member whose own device each now
     * proved to be; one that has meanwhile shown a strong identifier of its own is left alone.
     */
    private void adoptWaiting(EventEvidence event, String member, Batch batch) {
        for (Identifier identifier : event.identifiers()) {
            if (identifier.type() != IdentifierType.DEVICE_ID) {
                continue;
            }
            for (String waiting : personalDevices.takeWaiting(identifier.value(), this::root)) {
                String owner = root(member);
                String anonymousMember = root(waiting);
                if (!holdsStrong(anonymousMember)
                        && mayMerge(owner, anonymousMember, event.occurredAt(), event.identifiers())) {
                    merge(owner, anonymousMember, new MergeRecord(null, null, MergeRecord.PERSONAL_DEVICE, 1.0,
                            List.of(identifier.toString()), List.of(), event.eventKey(), event.occurredAt()), batch);
                }
            }
        }
    }

    private boolean holdsStrong(String root) {
        MemberProfile profile = profile(root);
        for (Map.Entry<IdentifierType, Set<String>> held : profile.held.entrySet()) {
            if (held.getKey().isStrong() && !held.getValue().isEmpty()) {
                return true;
            }
        }
        return false;
    }

    private void attachStrong(EventEvidence event, List<Identifier> strong, Set<Identifier> reissued, String member,
            Batch batch) {
        for (Identifier identifier : strong) {
            String owner = owners.get(identifier);
            boolean moves = owner != null && reissued.contains(identifier);
            if (moves) {
                String oldHolder = root(owner);
                profile(oldHolder).holdings(identifier.type()).remove(identifier.value());
                Instant last = lastSeen.get(identifier);
                if (last != null) { // the old holder's period, with their uses in this batch (not written as seen)
                    Instant first = firstSeen.getOrDefault(identifier, last);
                    PastHolding ended = new PastHolding(identifier, oldHolder, first, last);
                    batch.pastHeld.add(ended);
                    batch.endedByMove.add(ended);
                }
                owner = null;
            }
            if (owner == null) {
                Set<String> values = profile(member).holdings(identifier.type());
                int limit = guardrails.limitOf(identifier.type());
                if (limit > 0 && heldAt(identifier.type(), values, event.occurredAt(), strong) >= limit) {
                    batch.conflicts++; // the member already holds as many of this type as allowed
                    continue;
                }
                values.add(identifier.value());
                owners.put(identifier, member);
                if (moves) { // its new holder's use starts now, not at the old holder's last use
                    lastSeen.put(identifier, event.occurredAt());
                    firstSeen.put(identifier, event.occurredAt());
                    batch.seen.remove(identifier); // nor at the old holder's first in this batch (written as first_seen)
                }
                batch.links.add(identifier);
            } else if (!root(owner).equals(member)) {
                batch.conflicts++;
            }
        }
    }

    private void recordSeen(EventEvidence event, List<Identifier> strong, String member, Batch batch) {
        if (event.occurredAt() == null) {
            return;
        }
        for (Identifier identifier : strong) {
            String owner = owners.get(identifier);
            if (owner != null && root(owner).equals(root(member))) {
                lastSeen.merge(identifier, event.occurredAt(), (a, b) -> a.isAfter(b) ? a : b);
                if (identifier.type() == IdentifierType.PHONE) {
                    firstSeen.merge(identifier, event.occurredAt(), (a, b) -> a.isBefore(b) ? a : b);
                }
                batch.seen.merge(identifier, new Instant[] {event.occurredAt(), event.occurredAt()}, IdentityGraph::widened);
            }
        }
    }

    private String linkByScore(EventEvidence event, String member, Batch batch) {
        Map<String, Integer> candidates = candidates(event, member);
        String best = null;
        ProfileComparator.Score bestScore = null;
        double runnerUp = Double.NEGATIVE_INFINITY;
        ProfileComparator.Frequencies frequencies = frequencies();
        sampleRandomPair(event, member, frequencies);
        for (Map.Entry<String, Integer> found : candidates.entrySet()) {
            String candidate = found.getKey();
            ProfileComparator.Comparison comparison = comparator.compare(event, profile(member), profile(candidate), frequencies);
            candidatePairs.offer(comparison.levels(), found.getValue());
            ProfileComparator.Score score = comparator.score(comparison, frequencies);
            if (bestScore == null || score.total() > bestScore.total()) {
                runnerUp = bestScore == null ? runnerUp : bestScore.total();
                best = candidate;
                bestScore = score;
            } else {
                runnerUp = Math.max(runnerUp, score.total());
            }
        }
        // two candidates as likely as each other: the evidence does not say which, so neither
        if (best == null || bestScore.total() < weights.linkThreshold() || runnerUp >= bestScore.total()
                || !mayMerge(member, best, event.occurredAt(), event.identifiers())) {
            return member;
        }
        List<String> causes = new ArrayList<>();
        for (Identifier identifier : event.identifiers()) {
            causes.add(identifier.toString());
        }
        return merge(best, member, new MergeRecord(null, null, MergeRecord.PROBABILISTIC,
                Math.round(bestScore.total() * 100) / 100.0, causes, bestScore.reasons(), event.eventKey(),
                event.occurredAt()), batch);
    }

    /** The event against a member drawn at random: almost always two people, what u is learned from. */
    private void sampleRandomPair(EventEvidence event, String member, ProfileComparator.Frequencies frequencies) {
        if (memberIds.isEmpty()) {
            return;
        }
        randomPairs.offer(() -> {
            String other = root(memberIds.get(randomPairs.random().nextInt(memberIds.size())));
            return other.equals(root(member)) ? null
                    : comparator.compare(event, profile(root(member)), profile(other), frequencies).levels();
        }, 0);
    }

    /** The members blocking finds for an event, each with the comparisons whose keys found it (a bit each). */
    private Map<String, Integer> candidates(EventEvidence event, String member) {
        Map<String, Integer> found = blocking.candidates(event, quarantined::contains, phone -> {
            String owner = owners.get(new Identifier(IdentifierType.PHONE, phone));
            return owner == null ? null : root(owner);
        });
        found.remove(member);
        return found;
    }

    private ProfileComparator.Frequencies frequencies() {
        double members = Math.max(1, parent.size());
        return new ProfileComparator.Frequencies() {
            @Override
            public double storeShare(String store) {
                return Math.min(1.0, Math.max(1, storeMembers.getOrDefault(store, 0)) / members);
            }

            @Override
            public double surnameShare(String surname) {
                return Math.min(1.0, Math.max(1, surnameMembers.getOrDefault(surname, 0)) / members);
            }

            @Override
            public double maskedPhoneShare(String maskedKey) {
                return Math.min(1.0, Math.max(1, blocking.membersWithMaskedKey(maskedKey)) / members);
            }

            @Override
            public String cityOf(String store) {
                return storeCities.cityOf(store);
            }

            @Override
            public boolean exclusiveDevice(String device) {
                return blocking.exclusiveDevice(device);
            }
        };
    }

    /**
     * Whether two members may become one, counting every value they ever held towards the per-type limits (see
     * {@link #canMerge(String, String, Instant)} for the values held at a time).
     */
    public boolean canMerge(String a, String b) {
        return canMerge(a, b, null);
    }

    /**
     * Whether two members may become one at {@code at}: no recorded split between them, and together they hold no
     * more values of a type at that time than allowed ({@link #heldAt}; null = every value they ever held).
     */
    public boolean canMerge(String a, String b, Instant at) {
        return mayMerge(a, b, at, List.of());
    }

    /** {@link #canMerge(String, String, Instant)} for an event: the values it shows are held at its time. */
    private boolean mayMerge(String a, String b, Instant at, List<Identifier> shown) {
        String ra = root(a);
        String rb = root(b);
        if (ra.equals(rb)) {
            return false;
        }
        if (isErased(ra) || isErased(rb)) {
            return false;
        }
        if (forbidden(ra, rb)) {
            return false;
        }
        MemberProfile pa = profile(ra);
        MemberProfile pb = profile(rb);
        for (IdentifierType type : IdentifierType.values()) {
            int limit = guardrails.limitOf(type);
            if (limit <= 0 || !type.isStrong()) {
                continue;
            }
            Set<String> heldByA = pa.holdings(type);
            int together = heldAt(type, heldByA, at, shown);
            for (String value : pb.holdings(type)) {
                if (!heldByA.contains(value) && isHeldAt(new Identifier(type, value), at, shown)) {
                    together++;
                }
            }
            if (together > limit) {
                return false;
            }
        }
        return true;
    }

    /**
     * How many of a member's values of one type it holds at {@code at}, which is what the per-type limits count: a
     * value last used on the member longer than the re-issue gap before {@code at} is a past holding (a phone
     * number given up, an old card). It stays in the profile and still identifies the member if it comes back (a
     * phone unless re-issued meanwhile), but no longer takes a place. Every value counts when the gap is off or the
     * time unknown, and for a lifelong type (a UnionID); one the event at {@code at} shows, one used after {@code at} (an import out of time order) and
     * one whose use is unknown count too.
     *
     * @param shown the strong identifiers of the event at {@code at}: in use then, however long unused before
     */
    private int heldAt(IdentifierType type, Set<String> values, Instant at, List<Identifier> shown) {
        if (guardrails.reissueGap() == null || at == null || type.isLifelong()) {
            return values.size();
        }
        int held = 0;
        for (String value : values) {
            if (isHeldAt(new Identifier(type, value), at, shown)) {
                held++;
            }
        }
        return held;
    }

    private boolean isHeldAt(Identifier identifier, Instant at, List<Identifier> shown) {
        if (guardrails.reissueGap() == null || at == null || identifier.type().isLifelong()) {
            return true;
        }
        Instant last = lastSeen.get(identifier);
        return last == null || !last.plus(guardrails.reissueGap()).isBefore(at) || shown.contains(identifier);
    }

    private boolean forbidden(String ra, String rb) {
        for (Map.Entry<String, Set<String>> entry : cannotLink.entrySet()) {
            String side = root(entry.getKey());
            if (!side.equals(ra) && !side.equals(rb)) {
                continue;
            }
            String otherSide = side.equals(ra) ? rb : ra;
            for (String other : entry.getValue()) {
                if (root(other).equals(otherSide)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Merges two members (the one with more events survives); returns the survivor. */
    private String merge(String a, String b, MergeRecord why, Batch batch) {
        String ra = root(a);
        String rb = root(b);
        MemberProfile pa = profile(ra);
        MemberProfile pb = profile(rb);
        String survivor = pb.events > pa.events ? rb : ra;
        String absorbed = survivor.equals(ra) ? rb : ra;
        parent.put(absorbed, survivor);
        MemberProfile kept = profile(survivor);
        kept.absorb(profile(absorbed));
        profiles.remove(absorbed);
        batch.merges.add(new MergeRecord(survivor, absorbed, why.rule(), why.score(), why.identifiers(), why.reasons(),
                why.eventKey(), why.occurredAt()));
        return survivor;
    }

    // ---- profiles and blocking keys ----

    private void ensureMember(String memberId) {
        if (parent.putIfAbsent(memberId, memberId) == null) {
            memberIds.add(memberId);
        }
    }

    private MemberProfile profile(String root) {
        return profiles.computeIfAbsent(root, r -> new MemberProfile());
    }

    private void remember(String member, EventEvidence event) {
        MemberProfile profile = profile(member);
        profile.events++;
        rememberDeviceUse(member, event);
        blocking.add(member, event, profile, quarantined::contains);
        if (event.orderKey() != null) {
            orderBuyers.putIfAbsent(event.orderKey(), member);
        }
        if (event.address().office() != null) {
            profile.offices.add(event.address().office());
        }
        for (String surname : event.name().surnames()) {
            if (profile.surnames.add(surname)) {
                surnameMembers.merge(surname, 1, Integer::sum);
            }
        }
        profile.fullNames.addAll(event.name().fullNames());
        if (event.storeId() != null && profile.stores.add(event.storeId())) {
            storeMembers.merge(event.storeId(), 1, Integer::sum);
        }
        if (event.city() != null) {
            profile.cities.add(event.city());
            storeCities.observe(event.storeId(), event.city());
        }
    }

    /** A device used with a strong identifier counts towards its owner; one used anonymously waits for one. */
    private void rememberDeviceUse(String member, EventEvidence event) {
        if (!personalDevices.enabled()) {
            return;
        }
        String device = onlyDevice(event);
        if (device != null) {
            if (!holdsStrong(member)) {
                personalDevices.waitFor(device, member);
            }
            return;
        }
        boolean identified = false;
        for (Identifier identifier : event.identifiers()) {
            identified |= identifier.type().isStrong() && !quarantined.contains(identifier);
        }
        if (identified) {
            for (Identifier identifier : event.identifiers()) {
                if (identifier.type() == IdentifierType.DEVICE_ID) {
                    personalDevices.identifiedUse(identifier.value(), member, event.occurredAt());
                }
            }
        }
    }

    // ---- re-issued phones ----

    /**
     * Phones of this event that were silent for longer than the re-issue gap and whose holder has since
     * moved to another phone, or that now come with a strong identifier contradicting their holder: one
     * held by another member, or a value of a type the holder already has another value of.
     */
    private Set<Identifier> reissued(EventEvidence event, List<Identifier> strong) {
        if (guardrails.reissueGap() == null || event.occurredAt() == null) {
            return Set.of();
        }
        Set<Identifier> reissued = new HashSet<>();
        for (Identifier phone : strong) {
            String owner = owners.get(phone);
            Instant last = lastSeen.get(phone);
            if (phone.type() != IdentifierType.PHONE || owner == null || last == null
                    || !last.plus(guardrails.reissueGap()).isBefore(event.occurredAt())) {
                continue;
            }
            String holder = root(owner);
            if (movedOn(holder, phone, last) || contradicted(holder, strong)) {
                reissued.add(phone);
            }
        }
        return reissued;
    }

    /**
     * Phones of this event, which happened longer than the re-issue gap before their holder first used them (an
     * old till export imported after the new holder's events), that were somebody else's then: the event comes with
     * a strong identifier contradicting the holder, or, showing none of the holder's, the holder came to this phone
     * from another one. The mirror of {@link #reissued}: had the events come in time order, the phone would have
     * been re-issued from the event's person to the holder.
     */
    private Set<Identifier> heldBefore(EventEvidence event, List<Identifier> strong) {
        if (guardrails.reissueGap() == null || event.occurredAt() == null || firstSeen.isEmpty()) {
            return Set.of();
        }
        Set<Identifier> earlier = null;
        for (Identifier phone : strong) {
            String owner = owners.get(phone);
            Instant first = firstSeen.get(phone);
            if (phone.type() != IdentifierType.PHONE || owner == null || first == null
                    || !event.occurredAt().plus(guardrails.reissueGap()).isBefore(first)) {
                continue;
            }
            String holder = root(owner);
            if (contradicted(holder, strong) || (cameFrom(holder, phone, first) && !showsHolder(holder, phone, strong))) {
                earlier = earlier == null ? new HashSet<>() : earlier;
                earlier.add(phone);
            }
        }
        return earlier == null ? Set.of() : earlier;
    }

    /**
     * Whether the event shows a brand-wide id (member number, UnionID) of a type the holder has one of and that is
     * not the holder's: held by another member, or by nobody yet.
     */
    private boolean contradicted(String holder, List<Identifier> strong) {
        for (Identifier other : strong) {
            if (other.type() == IdentifierType.PHONE) {
                continue;
            }
            String otherOwner = owners.get(other);
            // only a holder with a brand-wide id of that type of its own (a card, a UnionID) is contradicted:
            // one without may simply not have shown it before, and openids, platform uids and e-mails are
            // one per app or platform, so a person holds several
            boolean brandWide = other.type() == IdentifierType.MEMBER_NO || other.type() == IdentifierType.UNION_ID;
            boolean contradicts = brandWide && !profile(holder).holdings(other.type()).isEmpty();
            boolean heldByAnother = otherOwner != null && !root(otherOwner).equals(holder);
            if (contradicts && (heldByAnother || otherOwner == null)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the holder has used another phone since it last used this one (a number change). */
    private boolean movedOn(String holder, Identifier phone, Instant last) {
        for (String value : profile(holder).holdings(IdentifierType.PHONE)) {
            Instant otherLast = lastSeen.get(new Identifier(IdentifierType.PHONE, value));
            if (!value.equals(phone.value()) && otherLast != null && otherLast.isAfter(last)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the holder used another phone before it first used this one (a number change to this one). */
    private boolean cameFrom(String holder, Identifier phone, Instant first) {
        for (String value : profile(holder).holdings(IdentifierType.PHONE)) {
            Instant otherFirst = firstSeen.get(new Identifier(IdentifierType.PHONE, value));
            if (!value.equals(phone.value()) && otherFirst != null && otherFirst.isBefore(first)) {
                return true;
            }
        }
        return false;
    }

    /** Whether another strong identifier of the event is the holder's. */
    private boolean showsHolder(String holder, Identifier phone, List<Identifier> strong) {
        for (Identifier other : strong) {
            String otherOwner = owners.get(other);
            if (!other.equals(phone) && otherOwner != null && root(otherOwner).equals(holder)) {
                return true;
            }
        }
        return false;
    }
}
