package io.memberpulse.proto.kafka;

import java.util.List;

/** The Kafka topics of memberpulse. Every topic is keyed by member id (see ARCHITECTURE.md). */
public final class Topics {
    /** Raw channel events (ChannelEvent), for channels that push to Kafka instead of REST/gRPC. */
    public static final String CHANNEL_EVENTS = "channel.events";
    /** Accepted events under their unified member (MemberEvent). */
    public static final String MEMBER_EVENTS = "member.events";
    /** Identity changes (MemberIdentityChange: MemberMerged or MemberSplit). */
    public static final String MEMBER_MERGES = "member.merges";
    /** Segment and lifecycle entries and exits (SegmentChanged). */
    public static final String MEMBER_SEGMENTS = "member.segments";
    /** Churn scores (ChurnScored). */
    public static final String CHURN_SCORES = "churn.scores";
    /** Outcomes of interventions (InterventionOutcome). */
    public static final String INTERVENTION_OUTCOMES = "intervention.outcomes";

    /** Suffix of each consumer's dead-letter topic: poison records land in {@code <topic>.dlq}. */
    public static final String DEAD_LETTER_SUFFIX = ".dlq";

    public static final List<String> ALL = List.of(
            CHANNEL_EVENTS, MEMBER_EVENTS, MEMBER_MERGES, MEMBER_SEGMENTS, CHURN_SCORES, INTERVENTION_OUTCOMES);

    private Topics() {
    }

    public static String deadLetter(String topic) {
        return topic + DEAD_LETTER_SUFFIX;
    }
}
