package io.memberpulse.rfm.store;

import io.memberpulse.rfm.domain.Rfm;
import java.util.Set;

/** A member's stored RFM and the segments it put the member in. */
public record MemberRfmRow(Rfm rfm, Set<String> segments) {
}
