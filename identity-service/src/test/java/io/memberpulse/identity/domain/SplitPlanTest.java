package io.memberpulse.identity.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SplitPlanTest {
    static final Identifier CARD = new Identifier(IdentifierType.MEMBER_NO, "C-1");
    static final Identifier PHONE = new Identifier(IdentifierType.PHONE, "+8613812345678");
    static final Identifier OPENID = new Identifier(IdentifierType.OPENID, "O-1");
    static final Identifier DEVICE = new Identifier(IdentifierType.DEVICE_ID, "tablet");

    final Map<String, List<Identifier>> events = Map.of(
            "pos:1", List.of(CARD, PHONE),
            "miniapp:2", List.of(OPENID, PHONE, DEVICE),
            "miniapp:3", List.of(OPENID));

    @Test
    void aPartTakesTheStrongIdentifiersOnlyItsEventsUsed() {
        SplitPlan plan = SplitPlan.of(events, List.of(List.of("miniapp:2", "miniapp:3")));
        assertThat(plan.moved().get(0)).containsExactly(OPENID); // the phone is used by the original too
    }

    @Test
    void badPartsAreRefusedNamingTheField() {
        assertThatThrownBy(() -> SplitPlan.of(events, List.of()))
                .isInstanceOfSatisfying(InvalidSplitException.class, e -> assertThat(e.field()).isEqualTo("parts"));
        assertThatThrownBy(() -> SplitPlan.of(events, List.of(List.of("pos:1"), List.of())))
                .isInstanceOfSatisfying(InvalidSplitException.class,
                        e -> assertThat(e.field()).isEqualTo("parts[1].event_keys"));
        assertThatThrownBy(() -> SplitPlan.of(events, List.of(List.of("pos:9"))))
                .isInstanceOfSatisfying(InvalidSplitException.class,
                        e -> assertThat(e.field()).isEqualTo("parts[0].event_keys[0]"));
        assertThatThrownBy(() -> SplitPlan.of(events, List.of(List.of("pos:1"), List.of("pos:1"))))
                .isInstanceOfSatisfying(InvalidSplitException.class, e -> assertThat(e.getMessage()).contains("twice"));
        assertThatThrownBy(() -> SplitPlan.of(events, List.of(List.of("pos:1", "miniapp:2", "miniapp:3"))))
                .isInstanceOfSatisfying(InvalidSplitException.class, e -> assertThat(e.field()).isEqualTo("parts"));
    }
}
