package io.memberpulse.campaign.domain;

/**
 * No event, churn score or segment change has named this store, so it has no call list at all (an empty one means
 * "nobody to call").
 */
public final class StoreNotFoundException extends CampaignException {
    public StoreNotFoundException(String storeId) {
        super("no store " + storeId + ": no event, churn score or segment change has named it");
    }
}
