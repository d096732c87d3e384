package io.memberpulse.campaign.domain;

/** No scored member belongs to this store, so it has no call list at all (an empty one means "nobody to call"). */
public final class StoreNotFoundException extends CampaignException {
    public StoreNotFoundException(String storeId) {
        super("no store " + storeId + " among the scored members");
    }
}
