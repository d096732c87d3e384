package io.memberpulse.churn;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/** churn-service settings (application.properties, overridable by environment variables). */
@ConfigMapping(prefix = "memberpulse")
public interface ChurnConfig {

    Redis redis();

    Churn churn();

    interface Redis {
        /** Prefix of every key this service writes, so tests and tenants never collide. */
        String keyPrefix();
    }

    interface Churn {
        /** Churn = no purchase within this many days after the scoring instant. */
        @WithDefault("90")
        int horizonDays();

        /** Purchase rhythm assumed for members with a single order. */
        @WithDefault("60")
        double defaultGapDays();

        /** A new score is published when the probability moved at least this much. */
        @WithDefault("0.005")
        double publishThreshold();

        /**
         * A stored score whose as-of is older than this (in event time) is rewritten and published at its next scoring
         * though it did not move: its as-of and recency would otherwise stay those of its last publication for good.
         */
        @WithDefault("P7D")
        Duration restateAfter();

        /**
         * How often every member is re-scored to the event-time clock; also the first wait before churn.scores is tried
         * again after a failed try while it is away (ProbeBackoff).
         */
        @WithDefault("10s")
        Duration refreshEvery();

        /** When to retrain (Quarkus cron expression, "off" to train on demand only). */
        @WithDefault("0 30 3 * * ?")
        String retrainCron();

        /**
         * How long a training run or batch evaluation waits for the member facts published before it to be
         * consumed; then it fails rather than train on part of them.
         */
        @WithDefault("PT10M")
        Duration factsWait();

        /**
         * How far below the serving version's validation AUC a retrain within a horizon of it may validate and still
         * replace it (domain.model.Promotion): a larger fall keeps the serving version.
         */
        @WithDefault("0.02")
        double promotionMaxAucDrop();

        /** The time zone whose calendar days the model features count (purchase days, gaps). */
        @WithDefault("Asia/Shanghai")
        String dayZone();

        /**
         * A training run (or batch evaluation) is refused when its last horizon holds a run of at least this many
         * days without any purchase where the volume before it would have given many (domain.model.LabelOutage):
         * a purchase-feed outage, whose days would teach every member as churned; so is one where a single channel that
         * had many purchases before fell as silent while the others sold. 0 turns the guard off.
         */
        @WithDefault("14")
        int labelOutageDays();

        /**
         * Channels (an order line's source) the chain closed for good, whose silence the label-outage guard does not
         * judge: their members' churn is real. Without this, a channel closed within the last horizon refuses every
         * run until its last sale is a horizon old.
         */
        Optional<Set<String>> labelOutageClosedChannels();

        /**
         * How far ahead of this replica's clock the event-time clock may move. An event stamped later (identity
         * accepts up to a day ahead; a till sending local time marked UTC is hours ahead) moves it only this far, so
         * one bad timestamp does not age every member for good (the clock never moves back). Only the clock is held:
         * the event is stored as stamped and counts once the clock reaches it. Historical imports are far behind.
         */
        @WithDefault("5m")
        Duration maxClockLead();

        /**
         * How long GetScore and TopRisk wait for Redis before answering from PostgreSQL: a Redis that accepts
         * connections and never answers would otherwise hold each read for the client's timeout (quarkus.redis.timeout).
         */
        @WithDefault("200ms")
        Duration redisReadTimeout();

        /**
         * After a Redis read failed (or timed out) reads skip Redis this long; after a write failed, writes and reads
         * (store.ScoreCache).
         */
        @WithDefault("5s")
        Duration redisBackoff();
    }
}
