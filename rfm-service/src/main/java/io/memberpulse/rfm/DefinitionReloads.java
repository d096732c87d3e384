package io.memberpulse.rfm;

/**
 * One computation's reloads of the segment definitions, each because a write found them changed again meanwhile
 * (another replica stored newer ones): up to SegmentDefinitions.DEFINITION_RELOADS of them, then it gives up. The live
 * path (MemberRecomputation) and the re-ageing pass (RecomputeRfmService) both count with it, so they give up at the
 * same change (they once differed by one).
 */
final class DefinitionReloads {
    private final String computation;
    private int done;

    /** @param computation what is computed, for the message on giving up */
    DefinitionReloads(String computation) {
        this.computation = computation;
    }

    /**
     * A write found the definitions changed: runs {@code reload}, or throws IllegalStateException when the reloads
     * allowed were all made already.
     */
    void reloadAfterChange(Runnable reload) {
        if (done == SegmentDefinitions.DEFINITION_RELOADS) {
            throw new IllegalStateException("segment definitions changed " + (done + 1) + " times during " + computation);
        }
        done++;
        reload.run();
    }
}
