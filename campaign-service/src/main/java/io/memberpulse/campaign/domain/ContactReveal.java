package io.memberpulse.campaign.domain;

/**
 * When a task's member's full phone may be revealed: to a caller who may act on the task (OutcomeRules.checkCaller:
 * staff of its store, head office), and only while it is OPEN. Call lists show the masked phone only; the full one is
 * given per call about to be made, so that what staff can read of members' numbers stays bounded by the calls their
 * store was asked to make, and each reveal is recorded. Once the outcome is recorded the call is made: no reason
 * remains to read the number.
 *
 * @param phone as last reported, null when only a masked phone (or none) is known
 */
public record ContactReveal(String taskId, String memberId, String storeId, String status, String phone) {

    /** @param callerStoreId as for OutcomeRules.decide */
    public void check(String callerStoreId) {
        OutcomeRules.checkCaller(taskId, storeId, callerStoreId);
        if (!"OPEN".equals(status)) {
            throw new TaskClosedException("task " + taskId + " is " + status.toLowerCase(java.util.Locale.ROOT)
                    + ": its member's phone is revealed only while the task is open");
        }
    }
}
