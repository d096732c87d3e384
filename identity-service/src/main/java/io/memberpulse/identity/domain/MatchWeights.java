package io.memberpulse.identity.domain;

/**
 * Fellegi–Sunter weights of the weak-evidence comparisons, as log2 of m/u (how much likelier the
 * outcome is for two records of one person than for two records of different people), and the
 * total weight at or above which an event's member and a candidate member are linked.
 * Masked phone, store and surname agreement are term-frequency adjusted as Splink does: their weight
 * is log2(m / share of members holding that value), so 王, a busy store or a masked phone several
 * members fit weigh less than a rare one; m is configured for them instead of a weight. City agreement
 * counts only between different stores (the same store says the same city already).
 *
 * @param personalDeviceDays distinct days one member alone must have used a device, with strong
 *                           identifiers, before a visit showing nothing but that device is theirs
 *                           ({@link PersonalDevices}); 0 = never
 */
public record MatchWeights(double maskedPhoneM, double phoneDisagree, double phoneOneEditSameStore,
        double surnameM, double surnameDisagree, double fullNameAgree, double homeAddressAgree,
        double officeAddressAgree, double addressDisagree, double storeM, double cityAgree, double cityDisagree, double deviceAgree,
        double couponAgree, double linkThreshold, int personalDeviceDays) {

    /** The defaults of application.properties. */
    public static final MatchWeights DEFAULTS = new MatchWeights(0.9, -14.0, 10.0, 0.95, -6.0, 4.0, 5.0, 2.0, -2.0,
            0.9, 3.0, -6.0, 3.0, 8.0, 13.0, 4);

    /** No probabilistic links at all (deterministic rules only). */
    public static final MatchWeights OFF = new MatchWeights(1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0,
            Double.POSITIVE_INFINITY, 0);

    public MatchWeights {
        if (!(surnameM > 0 && surnameM <= 1 && storeM > 0 && storeM <= 1 && maskedPhoneM > 0 && maskedPhoneM <= 1)) {
            throw new IllegalArgumentException("maskedPhoneM, surnameM and storeM are probabilities in (0, 1]");
        }
        if (personalDeviceDays < 0) {
            throw new IllegalArgumentException("personalDeviceDays must not be negative");
        }
    }

    public boolean enabled() {
        return linkThreshold != Double.POSITIVE_INFINITY;
    }
}
