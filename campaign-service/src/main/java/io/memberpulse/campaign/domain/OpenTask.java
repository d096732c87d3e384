package io.memberpulse.campaign.domain;

/** An OPEN call task as far as planning cares: whose it is and the score it was ranked with. */
public record OpenTask(String taskId, String memberId, double probability, double memberValue) {
}
