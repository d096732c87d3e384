package io.memberpulse.campaign;

import io.memberpulse.campaign.domain.CategoryMarginRates;
import io.memberpulse.campaign.domain.StoreCallCapacities;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Currency;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** campaign-service settings (application.properties, overridable by environment variables). */
@ConfigMapping(prefix = "memberpulse")
public interface CampaignConfig {

    Redis redis();

    Campaign campaign();

    interface Redis {
        /** Prefix of every key this service writes, so tests and tenants never collide. */
        String keyPrefix();
    }

    interface Campaign {
        /** Share of a store's scored members who get a store-manager call (the SOP's top 10%). */
        @WithDefault("0.10")
        double sopTopShare();

        /** Hours a store has to make the call once the task is opened (the SOP's 72 hours). */
        @WithDefault("72")
        int sopDueHours();

        /** What one store-manager call costs (labour and phone), for campaign ROI. */
        @WithDefault("6")
        double costPerCall();

        /**
         * Gross margin rate of purchase lines whose member.events carry no margin_rate and whose category has no rate
         * (and of the campaign's redeemed coupons whose order is not known), for the campaign's gain and ROI, which
         * are on margin (rfm-service's memberpulse.rfm.default-margin-rate has the same default). Within (0, 1], as rfm-service's: anything else
         * fails the start, naming the property and the value (MarginRateConverter).
         */
        @WithDefault("0.30")
        @WithConverter(MarginRateConverter.class)
        double defaultMarginRate();

        /**
         * Gross margin rates of categories, for purchase lines that carry no margin_rate: {@code category:rate} pairs
         * separated by commas ({@code dairy:0.35,dairy/infant-formula:0.12,tobacco:0.08}), the longest whole-segment
         * prefix of a line's category path winning, else the default rate (as rfm-service's
         * memberpulse.rfm.category-margin-rates). None when unset. Each rate within (0, 1]: anything else fails the
         * start, naming the property, the category and the value (CategoryMarginRatesConverter).
         */
        @WithConverter(CategoryMarginRatesConverter.class)
        Optional<CategoryMarginRates> categoryMarginRates();

        /** Days after a recorded outcome during which the SOP does not call the same member again. */
        @WithDefault("14")
        int coolDownDays();

        /** Call-list length when the caller gives no limit: what one store can call in a day. */
        @WithDefault("20")
        int dailyCallCapacity();

        /**
         * Stores whose daily call capacity differs from daily-call-capacity: {@code store-id:N} pairs separated by
         * commas ({@code s-0042:35,s-0107:5}), a flagship calling more than a kiosk. One value, not a map keyed by store
         * id: an environment variable or ConfigMap key cannot carry a store id's dashes. None when unset. N of 0 or
         * more: a malformed pair or a negative N fails the start, naming the property and the pair
         * (StoreCallCapacitiesConverter).
         */
        @WithConverter(StoreCallCapacitiesConverter.class)
        Optional<StoreCallCapacities> storeCallCapacities();

        /**
         * How long after the service cancelled a call for risk fell or left the segment staff may still record the
         * call they made on it, with the version their list carried (OutcomeRules.decide): the manager may have been on
         * the phone when the replan ran. Also how long the store a call moved from (a home-store change, a merge)
         * may still record it: its manager may have been calling from their list when the call moved.
         */
        @WithDefault("PT24H")
        Duration lateOutcomeGrace();

        /**
         * The churn SOP gives its calls only to members staff can reach: campaign holds a phone they can dial (a full
         * one, revealed per task, so only while contact-reveal is enabled; a masked-only phone, as delivery platforms
         * report it, is none) or a POS member number. A member with neither is passed over, their slot going to the
         * next riskiest (StoreTaskPlanner). false: every scored member may take a slot, as before.
         */
        @WithDefault("true")
        boolean sopReachRequired();

        /** Members below this churn probability never get a task, even inside the top share. */
        @WithDefault("0.5")
        double minProbability();

        /**
         * SOP rules triggered by entering an rfm-service segment, by rule name: entering the segment opens
         * a call task due within the rule's hours (same guarantees as the churn rule: home store, one
         * OPEN task per member, cool-down, escalation); leaving it cancels the task.
         */
        Map<String, SegmentRule> segmentRules();

        /** Revealing members' full phones to staff, per OPEN task (POST /tasks/{id}/contact, gRPC RevealContact). */
        ContactRevealSetting contactReveal();

        /** Days a coupon stays redeemable after it was issued (member.events carry no expiry). */
        @WithDefault("30")
        int couponValidityDays();

        /**
         * The most tasks a call list holds, calls and guide messages together (and the largest limit a caller may
         * ask for): a store's first ones in call-list order are read, cached and sent, never all its open tasks.
         */
        @WithDefault("200")
        int callListMaxTasks();

        /**
         * Last resort for a missed invalidation (one not recorded for the repair either): a cached call list is dropped
         * after this long anyway.
         */
        @WithDefault("PT10M")
        Duration callListCacheTtl();

        /**
         * How long a call-list read waits for Redis before reading PostgreSQL: a Redis that accepts connections and
         * never answers would otherwise hold each read for the client's timeout (quarkus.redis.timeout).
         */
        @WithDefault("PT0.2S")
        Duration redisReadTimeout();

        /** After a Redis read failed (or timed out) reads skip Redis this long; after a write failed, writes and reads. */
        @WithDefault("PT5S")
        Duration redisBackoff();

        /** How often each replica drops the cached call lists whose invalidation Redis missed (store.CallListCache). */
        @WithDefault("PT10S")
        Duration redisRepairEvery();

        /** The time zone whose calendar days staff read on the call list (last purchase, coupon expiry), as churn-service's. */
        @WithDefault("Asia/Shanghai")
        String dayZone();

        /**
         * The chain's currency (ISO 4217: CNY, GBP, ...), in which talking points and the staff page write amounts
         * (Online Retail is in GBP); an unknown code fails the start naming the property (CurrencyConverter).
         */
        @WithDefault("CNY")
        @WithConverter(CurrencyConverter.class)
        Currency currency();

        /**
         * How amounts are written (a BCP 47 tag: en-GB, de-DE, zh-CN), as that locale writes the currency; none: the
         * currency's local symbol before the amount (domain.Money).
         */
        @WithConverter(LocaleConverter.class)
        Optional<Locale> currencyLocale();

        /**
         * How often each replica moves live campaigns whose window has ended to review and finishes the
         * follow-ups of campaign moves that did not finish (a move answered 503 and nobody asked again); also the wait
         * before its first run.
         */
        @WithDefault("PT1M")
        Duration followUpRetryInterval();
    }

    interface ContactRevealSetting {
        /**
         * Off: a reveal is refused (403 / PERMISSION_DENIED) and member.events' full phones are no longer stored,
         * only the masked ones (ContactRepository); numbers stored before stay until the member's next phone replaces
         * them or the README's clean-up clears them.
         */
        @WithDefault("true")
        boolean enabled();
    }

    interface SegmentRule {
        /** The segment id as rfm-service publishes it on member.segments (churn-edge, stage:at-risk, ...). */
        String segment();

        /** Hours the store has to make the call. */
        @WithDefault("72")
        int dueHours();
    }
}
