package io.memberpulse.devstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReplayPositionTest {

    @Test
    void recordsReSentAboveOneLeftAreRememberedThroughTheCommitAndThePositionMovesWhenTheGapCloses() {
        ReplayPosition position = ReplayPosition.at(10);
        position.replayed(10);
        position.replayed(12);
        position.replayed(13);
        position.replayed(15);

        assertThat(position.next()).isEqualTo(11);
        assertThat(position.metadata()).isEqualTo("replayed-above:12-13,15");
        ReplayPosition read = ReplayPosition.committed(position.next(), position.metadata());
        assertThat(read.wasReplayed(10)).isTrue();
        assertThat(read.wasReplayed(11)).isFalse();
        assertThat(read.wasReplayed(13)).isTrue();
        assertThat(read.wasReplayed(14)).isFalse();

        read.replayed(11);
        assertThat(read.next()).isEqualTo(14);
        read.replayed(14);
        assertThat(read.next()).isEqualTo(16);
        assertThat(read.metadata()).isEmpty();
    }

    @Test
    void recordsDeletedByRetentionAreNotWaitedFor() {
        ReplayPosition position = ReplayPosition.committed(3, "replayed-above:5-7,9");

        position.startNoEarlierThan(6);

        assertThat(position.next()).isEqualTo(8);
        assertThat(position.metadata()).isEqualTo("replayed-above:9");
    }

    @Test
    void theMetadataStaysWithinWhatACommitTakes() {
        ReplayPosition position = ReplayPosition.at(0);
        long offset = 1;
        while (position.hasRoomForMore()) {
            position.replayed(offset);
            offset += 2;
        }
        assertThat(position.metadata().length()).isLessThanOrEqualTo(ReplayPosition.MAX_METADATA_CHARS);
    }
}
