package io.memberpulse.campaign.domain;

/** Totals: scored members, stores they belong to, OPEN call tasks. */
public record CampaignStats(long members, long stores, long openTasks) {
}
