package io.memberpulse.identity.domain;

/**
 * How well a store's (or the chain's) members are stitched, as the counts behind the four rates of
 * DOMAIN.md; a rate is 0 when nothing was counted.
 *
 * @param members              members with events (at the store)
 * @param multiChannelMembers  of those, members seen in at least two channels
 * @param identifiedMembers    of those, members holding at least one strong identifier (not a
 *                             placeholder, a masked phone or a shared device alone)
 * @param orderLines           order lines, each reported order counted once (duplicates left out)
 * @param matchedOrderLines    of those, lines attributed to an identified member
 * @param devices              devices that ever reported an event (at the store)
 * @param devicesOnline        of those, devices that reported within the online window
 */
public record IdentityHealth(String storeId, long members, long multiChannelMembers, long identifiedMembers,
        long orderLines, long matchedOrderLines, long devices, long devicesOnline) {

    /** Members reached through more than one channel. */
    public double channelCoverageRate() {
        return rate(multiChannelMembers, members);
    }

    public double memberIdentificationRate() {
        return rate(identifiedMembers, members);
    }

    public double orderMatchRate() {
        return rate(matchedOrderLines, orderLines);
    }

    public double deviceOnlineRate() {
        return rate(devicesOnline, devices);
    }

    private static double rate(long part, long whole) {
        return whole == 0 ? 0.0 : (double) part / whole;
    }
}
