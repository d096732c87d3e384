package io.memberpulse.campaign.domain;

/** How an OPEN task looks on a call list: still in time, or past its SOP deadline. */
public enum CallTaskStatus {
    OPEN,
    OVERDUE
}
