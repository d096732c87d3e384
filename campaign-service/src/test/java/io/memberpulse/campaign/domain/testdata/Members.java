package io.memberpulse.campaign.domain.testdata;

import io.memberpulse.campaign.domain.MemberRisk;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Test data: scored members with sensible defaults. */
public final class Members {
    public static final Instant AS_OF = Instant.parse("2024-03-01T00:00:00Z");

    private Members() {
    }

    public static MemberRisk member(String memberId, double probability) {
        return new MemberRisk(memberId, "s-1", probability, 100.0, AS_OF);
    }

    public static MemberRisk member(String memberId, double probability, double value) {
        return new MemberRisk(memberId, "s-1", probability, value, AS_OF);
    }

    /** {@code count} members m01, m02, ... of store s-1, all with this probability. */
    public static List<MemberRisk> store(int count, double probability) {
        List<MemberRisk> members = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            members.add(member(String.format("m%02d", i), probability));
        }
        return members;
    }
}
