package io.memberpulse.campaign.api.rest;

/** Totals: scored members, stores they belong to, OPEN call tasks. */
public record StatsResponse(long members, long stores, long openTasks) {
}
