package io.memberpulse.rfm.domain;

/**
 * A store's region in the store directory. The region is the name as given, stripped of surrounding blanks: required,
 * at most {@link #MAX_REGION_LENGTH} characters, no control characters, and not {@value #UNASSIGNED}, the name under
 * which the region comparison counts the stores without a region.
 */
public record StoreRegion(String storeId, String region) {
    /** A directory entry as stored, with when it was last set. */
    public record Assigned(String storeId, String region, java.time.Instant updatedAt) {
    }

    public static final int MAX_REGION_LENGTH = 100;
    /** The row of the region comparison holding the stores without a region (and orders without a store). */
    public static final String UNASSIGNED = "unassigned";

    public StoreRegion {
        if (storeId == null || storeId.isBlank()) {
            throw new InvalidParameterException("storeId", "is required");
        }
        if (region == null) {
            throw new InvalidParameterException("region", "is required");
        }
        region = region.strip();
        if (region.isEmpty()) {
            throw new InvalidParameterException("region", "must not be blank");
        }
        if (region.length() > MAX_REGION_LENGTH) {
            throw new InvalidParameterException("region", "is " + region.length() + " characters long, at most "
                    + MAX_REGION_LENGTH + " are accepted");
        }
        if (region.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidParameterException("region", "must not contain control characters");
        }
        if (region.equalsIgnoreCase(UNASSIGNED)) {
            throw new InvalidParameterException("region", "\"" + UNASSIGNED
                    + "\" is where stores without a region are counted; name the store's region");
        }
    }
}
