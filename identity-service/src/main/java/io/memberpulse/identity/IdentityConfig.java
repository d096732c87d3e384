package io.memberpulse.identity;

import io.memberpulse.identity.domain.MatchWeights;
import io.memberpulse.identity.domain.StitchGuardrails;
import io.memberpulse.identity.domain.WeightEstimation;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;

/** identity-service settings (application.properties, overridable by environment variables). */
@ConfigMapping(prefix = "memberpulse")
public interface IdentityConfig {

    Redis redis();

    Identity identity();

    interface Redis {
        /** Prefix of every key this service writes, so tests and tenants never collide. */
        String keyPrefix();
    }

    interface Identity {
        /** Zone of date-times written without an offset (EVENT-CSV). */
        @WithDefault("Asia/Shanghai")
        String defaultZone();

        /** Region of phone numbers written without a country code. */
        @WithDefault("CN")
        String defaultRegion();

        /** How many rejections an import answer lists; all are counted. */
        @WithDefault("20")
        int maxListedRejections();

        /**
         * How far past the wall clock an event's occurred_at may lie (clock skew of tills and channel servers);
         * a later event is refused naming occurred_at, since downstream event-time clocks never move back.
         */
        @WithDefault("P1D")
        Duration maxFutureSkew();

        Guardrails guardrails();

        Matching matching();

        /** How far apart two channels' reports of one order (same store, lines and amounts) may be. */
        @WithDefault("PT60M")
        Duration duplicateOrderWindow();

        /** A device counts as online when it reported within this of the latest event (identity health). */
        @WithDefault("PT24H")
        Duration deviceOnlineWindow();

        /**
         * At most this many stores get per-store health gauges, those with the most members: store ids are whatever
         * channels send, and each gauged store is four Prometheus series.
         */
        @WithDefault("1000")
        int storeGaugesMax();

        /** How often the chain's health gauges are recomputed (a scheduler interval such as 60s). */
        @WithDefault("60s")
        String healthRefresh();

        /**
         * How long the writer lock's connection may take to answer the ping sent before each write transaction: past
         * it, this instance steps down as if the lock were lost (the write answers 503), gives the lock up and takes
         * it again as a standby would. Only promptness in noticing a dead connection; the fence is the guarantee.
         */
        @WithDefault("5s")
        Duration writerPingTimeout();

        Erasure erasure();
    }

    /** Member erasure. */
    interface Erasure {
        /**
         * Drop the graph after each erasure and rebuild it from the database, as before erasures were done in the live
         * graph: only to measure the difference (ErasureBenchmarkTest).
         */
        @WithDefault("false")
        boolean rebuildGraph();
    }

    /** What keeps stitching from over-merging (StitchGuardrails). */
    interface Guardrails {
        /** Placeholder values typed for guests that never link (phones compared by their digits). */
        Optional<List<String>> blockedValues();

        /**
         * A strong value seen at more distinct stores than this within {@link #storesWindow()} before an event is
         * quarantined; 0 = off.
         */
        @WithDefault("12")
        int maxStoresPerValue();

        /**
         * Only the stores a value was seen at within this long before an event (in event time) count toward
         * {@link #maxStoresPerValue()}: a loyal member's phone gathers its stores over years, a walk-in phone within
         * weeks (the identity-dev set's two slowest reach 14 stores within 90 days, only 9 and 10 within 30; no member's phone
         * there more than 6 within 90 days). PT0S = off (every store ever seen counts).
         */
        @WithDefault("P90D")
        Duration storesWindow();

        /**
         * A strong value seen with more distinct other strong identifiers than this, with more of one type than its
         * per-member limit, is quarantined; 0 = off. An identifier last seen with the value longer than
         * {@link #reissueGap()} before an event no longer counts at it (a UnionID always does).
         */
        @WithDefault("8")
        int maxIdentitiesPerValue();

        /**
         * How many values of each type one member may hold at a time (values unused for longer than the re-issue gap
         * before an event are past holdings and not counted); 0 = no limit.
         */
        @WithDefault("2")
        int maxMemberNos();

        @WithDefault("1")
        int maxUnionIds();

        @WithDefault("3")
        int maxPhones();

        @WithDefault("3")
        int maxOpenids();

        @WithDefault("3")
        int maxPlatformUids();

        @WithDefault("3")
        int maxEmails();

        /**
         * A phone silent for longer than this that comes back with somebody else's ids was re-issued; a value unused
         * for longer than this no longer counts towards the per-type limits, nor as a value's companion towards
         * {@link #maxIdentitiesPerValue()}. PT0S = off (every value ever held counts).
         */
        @WithDefault("P90D")
        Duration reissueGap();
    }

    /** Weights (log2 m/u) of the weak-evidence comparisons and the link threshold (MatchWeights). */
    interface Matching {
        /** Probability that two records of one person agree on the masked phone (term-frequency adjusted). */
        @WithDefault("0.9")
        double maskedPhoneM();

        @WithDefault("-14.0")
        double phoneDisagree();

        @WithDefault("10.0")
        double phoneOneEditSameStore();

        /** Probability that two records of one person agree on the surname (term-frequency adjusted). */
        @WithDefault("0.95")
        double surnameM();

        @WithDefault("-6.0")
        double surnameDisagree();

        @WithDefault("4.0")
        double fullNameAgree();

        @WithDefault("5.0")
        double homeAddressAgree();

        @WithDefault("2.0")
        double officeAddressAgree();

        @WithDefault("-2.0")
        double addressDisagree();

        /** Probability that two records of one person share a store (term-frequency adjusted). */
        @WithDefault("0.9")
        double storeM();

        /** Two different stores (or an online order's delivery city) in one city. */
        @WithDefault("3.0")
        double cityAgree();

        @WithDefault("-6.0")
        double cityDisagree();

        @WithDefault("3.0")
        double deviceAgree();

        /** A coupon issued to the candidate and redeemed by the event (coupons are sometimes passed on). */
        @WithDefault("8.0")
        double couponAgree();

        /**
         * Whether the weights not named in {@link #fixedWeights()} are re-estimated from the data after each
         * import batch (u from random pairs, m by EM over the candidate pairs); the values above seed them.
         */
        @WithDefault("true")
        boolean estimate();

        /**
         * Weights kept as configured however the data looks. By default the disagreement weights and the masked
         * phone's m: members of one household share address, surname, store and city, so unlabelled EM takes
         * them for one person and would make disagreeing cheap; and a phone one slip away at the same store, too
         * rare among random pairs for EM to weigh.
         */
        @WithDefault("phone-disagree,phone-one-edit-same-store,surname-disagree,address-disagree,city-disagree,masked-phone-m")
        List<String> fixedWeights();

        /** Total weight at or above which two members are linked; "Infinity" turns probabilistic links off. */
        @WithDefault("13.0")
        double linkThreshold();

        /**
         * Distinct days one member alone must have used a device, with strong identifiers, before a visit
         * showing nothing but that device is theirs (a family tablet or a kiosk shows several members first);
         * 0 = such visits stay members of their own.
         */
        @WithDefault("4")
        int personalDeviceDays();
    }

    /** The matching weights of this configuration as the domain takes them. */
    static MatchWeights matchWeights(IdentityConfig config) {
        Matching m = config.identity().matching();
        return new MatchWeights(m.maskedPhoneM(), m.phoneDisagree(), m.phoneOneEditSameStore(), m.surnameM(),
                m.surnameDisagree(), m.fullNameAgree(), m.homeAddressAgree(), m.officeAddressAgree(),
                m.addressDisagree(), m.storeM(), m.cityAgree(), m.cityDisagree(), m.deviceAgree(), m.couponAgree(),
                m.linkThreshold(), m.personalDeviceDays());
    }

    /** Which weights this configuration lets the data estimate. */
    static WeightEstimation weightEstimation(IdentityConfig config) {
        Matching m = config.identity().matching();
        return new WeightEstimation(m.estimate(), new HashSet<>(m.fixedWeights()));
    }

    /** The guardrails of this configuration as the domain takes them. */
    static StitchGuardrails guardrails(IdentityConfig config) {
        Guardrails g = config.identity().guardrails();
        return new StitchGuardrails(new HashSet<>(g.blockedValues().orElse(List.of())), g.maxStoresPerValue(),
                g.maxIdentitiesPerValue(), StitchGuardrails.limits(g.maxMemberNos(), g.maxUnionIds(), g.maxPhones(),
                        g.maxOpenids(), g.maxPlatformUids(), g.maxEmails()),
                g.reissueGap().isZero() ? null : g.reissueGap(), g.storesWindow().isZero() ? null : g.storesWindow());
    }
}
