package io.memberpulse.churn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;

class UntilUnchangedTest {

    @Test
    void triesAgainOnlyTheOvertakenMembersUntilNoneIsLeft() {
        List<Collection<String>> attempts = new ArrayList<>();

        Collection<String> left = UntilUnchanged.repeat(List.of("a", "b", "c"), 5, pending -> {
            attempts.add(List.copyOf(pending));
            return pending.stream().filter(id -> id.equals("b") && attempts.size() < 3).toList();
        });

        assertThat(left).isEmpty();
        assertThat(attempts).containsExactly(List.of("a", "b", "c"), List.of("b"), List.of("b"));
    }

    @Test
    void givesUpAfterTheLastAttemptAndSaysWhoIsLeft() {
        List<Collection<String>> attempts = new ArrayList<>();

        Collection<String> left = UntilUnchanged.repeat(List.of("a", "b"), 3, pending -> {
            attempts.add(List.copyOf(pending));
            return List.of("a");
        });

        assertThat(attempts).hasSize(3);
        assertThat(left).containsExactly("a");
    }

    @Test
    void noMembersNoAttempt() {
        List<Collection<String>> attempts = new ArrayList<>();

        assertThat(UntilUnchanged.repeat(List.of(), 5, pending -> {
            attempts.add(pending);
            return pending;
        })).isEmpty();
        assertThat(attempts).isEmpty();
    }
}
