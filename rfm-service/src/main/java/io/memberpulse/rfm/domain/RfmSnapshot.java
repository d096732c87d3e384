package io.memberpulse.rfm.domain;

import java.util.Set;

/** A member's stored RFM and the segments it put the member in. */
public record RfmSnapshot(Rfm rfm, Set<String> segments) {
}
