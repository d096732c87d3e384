package io.memberpulse.rfm.domain;

import java.util.List;

/**
 * Everything rfm-service knows of one member: purchase lines, other facts, and the latest churn
 * probability from churn-service (null when not scored). RFM, stage and tags are functions of it.
 */
public record MemberHistory(List<PurchaseLine> lines, List<MemberFact> facts, Double churnProbability) {
    public static final MemberHistory EMPTY = new MemberHistory(List.of(), List.of(), null);

    public MemberHistory {
        lines = List.copyOf(lines);
        facts = List.copyOf(facts);
    }

    public static MemberHistory ofLines(List<PurchaseLine> lines) {
        return new MemberHistory(lines, List.of(), null);
    }
}
